"""Settings of one mock server (CLI flags, pytest options and env vars map onto these)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEMO_ACCOUNT_SID = "sandbox1"
DEMO_API_KEY = "callr-mock-demo-key"
ONE_MIB = 1024 * 1024


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 4010
    spec_path: str | None = None
    seed_path: str | None = None
    accounts: list[tuple[str, str]] = field(default_factory=list)
    clock: str = "real"
    strict: bool = True
    validate_requests: bool = True
    validate_responses: bool = True
    max_body_bytes: int = ONE_MIB
    id_seed: int | None = None
    journal_limit: int = 10_000
    webhook_timeout: float = 2.0
    threads: int = 8

    def initial_accounts(self) -> list[tuple[str, str]]:
        """The configured accounts, or the documented demo account."""
        return self.accounts or [(DEMO_ACCOUNT_SID, DEMO_API_KEY)]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        settings = cls()
        if "CALLR_MOCK_SPEC" in env:
            settings.spec_path = env["CALLR_MOCK_SPEC"]
        if "CALLR_MOCK_SEED" in env:
            settings.seed_path = env["CALLR_MOCK_SEED"]
        if "CALLR_MOCK_CLOCK" in env:
            settings.clock = env["CALLR_MOCK_CLOCK"]
        if "CALLR_MOCK_STRICT" in env:
            settings.strict = env["CALLR_MOCK_STRICT"].lower() not in ("0", "false", "no")
        for name, value in overrides.items():
            setattr(settings, name, value)
        return settings
