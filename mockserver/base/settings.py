"""Settings of one mock server (CLI flags, pytest options and env vars map onto these)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_ACCOUNT_SID = "sandbox1"
DEMO_API_KEY = "callr-mock-demo-key"
ONE_MIB = 1024 * 1024
SERVERS = ("granian", "waitress")  # the engines ``Settings.server`` can name
DEFAULT_THREADS = {"granian": 1, "waitress": 8}  # Python threads answering, by engine

# The environment variables ``callr-mock serve`` reads as the defaults of its options
# (handy in a container or a CI service definition), by Settings field.
ENV_VARS = {
    "host": "CALLR_MOCK_HOST",
    "port": "CALLR_MOCK_PORT",
    "spec_path": "CALLR_MOCK_SPEC",
    "seed_path": "CALLR_MOCK_SEED",
    "clock": "CALLR_MOCK_CLOCK",
    "strict": "CALLR_MOCK_STRICT",
    "threads": "CALLR_MOCK_THREADS",
    "server": "CALLR_MOCK_SERVER",
    "state_file": "CALLR_MOCK_STATE_FILE",
    "control_token": "CALLR_MOCK_CONTROL_TOKEN",
    "connection_limit": "CALLR_MOCK_CONNECTION_LIMIT",
    "deny_private_webhooks": "CALLR_MOCK_DENY_PRIVATE_WEBHOOKS",
    "actions_schema": "CALLR_MOCK_ACTIONS_SCHEMA",
}


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
    vary_seed: int | None = None  # contract-valid variation of every response (--vary)
    journal_limit: int = 10_000
    webhook_timeout: float = 2.0
    deny_private_webhooks: bool = False
    """Refuse to deliver to loopback and private addresses (an exposed sandbox must not be
    a way into its network); off by default, since local receivers are the usual case."""
    actions_schema: str | None = None
    """The JSON Schema scenario scripts are checked against (``--actions-schema``: Callr's
    own, when a user has it); None: the packaged one (``spec/actions-script.schema.json``)."""
    threads: int | None = None
    """Python threads calling the app at most; None: the engine's own default
    (``DEFAULT_THREADS``, ``worker_threads``)."""
    server: str = "granian"
    """The engine serving the app (``running/server.py``): ``granian`` (Rust HTTP I/O on its
    own threads, the default) or ``waitress`` (pure Python; ``serve --server waitress``)."""
    state_file: str | None = None
    """Where the state is kept across restarts (``serve --state-file``): loaded at start
    when it exists, saved about a second after each change and on a clean stop."""
    control_token: str | None = None
    """Required on ``/_mock/*`` when set (``X-Callr-Mock-Token``; see ``guard.py``)."""
    allowed_hosts: list[str] = field(default_factory=list)
    """More ``Host`` names to answer besides the loopback names and the bound address."""
    connection_limit: int = 1000
    """Open connections at most (waitress' own default, 100, is starved by 100 idle sockets)."""
    channel_timeout: float = 30.0
    """Seconds an idle or dribbling connection is kept before it is closed."""
    warm_up_in_background: bool = False
    """Load the data a first request needs (libphonenumber's geocoder, ~0.4 s) on a thread
    while the server already answers, instead of before it starts: the pytest plugin's
    session server is ready sooner; a request that needs the data first waits for it."""

    @property
    def worker_threads(self) -> int:
        """The Python threads calling the app. granian's default is 1: its I/O runs on its
        own threads, a latency fault holds no thread, and more threads only take turns at
        the GIL (``bench/vs_prism.py --wsgi granian:8`` measures the cost)."""
        return self.threads if self.threads is not None else DEFAULT_THREADS[self.server]

    def initial_accounts(self) -> list[tuple[str, str]]:
        """The configured accounts, or the documented demo account."""
        return self.accounts or [(DEMO_ACCOUNT_SID, DEMO_API_KEY)]
