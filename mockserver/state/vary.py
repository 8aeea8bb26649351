"""Who gets contract-valid variation (``--vary``), and the seeded generators that drive it.

A server-wide seed (``callr-mock serve --vary SEED``) varies every account's responses,
each account drawing from its own generator seeded with ``SEED:sid`` (so an account's
responses do not depend on other accounts' traffic, and a fixed account such as the demo
account repeats exactly). A per-account seed (the pytest plugin's ``callr_mock.vary()``,
``POST /_mock/vary``) overrides it for that account. What varies is decided in
``callr_mock.contract.vary`` (it needs the schemas).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from .codec import dump, load

MAX_SEED = 2**63 - 1


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


class Variation:
    def __init__(self, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self._global: int | None = seed
        self._accounts: dict[str, int] = {}
        self._random: dict[str, random.Random] = {}

    def set(self, account: str | None, seed: int | None = None) -> int:
        """Vary ``account`` (or every account) with ``seed`` (default: a new random one)."""
        chosen = new_seed() if seed is None else seed
        with self.lock:
            if account is None:
                self._global = chosen
                self._random = {
                    sid: generator
                    for sid, generator in self._random.items()
                    if sid in self._accounts
                }
            else:
                self._accounts[account] = chosen
                self._random[account] = random.Random(chosen)
        return chosen

    def clear(self, account: str | None = None) -> None:
        """Stop varying ``account`` (back to the server-wide seed), or stop everything."""
        with self.lock:
            if account is None:
                self._global = None
                self._accounts.clear()
                self._random.clear()
            else:
                self._accounts.pop(account, None)
                self._random.pop(account, None)

    def reset(self) -> None:
        """Forget per-account seeds; the server-wide seed starts its sequences again."""
        with self.lock:
            self._accounts.clear()
            self._random.clear()

    @property
    def active(self) -> bool:
        """Anything varies at all (read without the lock: a stale answer costs one request)."""
        return self._global is not None or bool(self._accounts)

    def generator(self, account: str) -> random.Random | None:
        """The account's generator, or ``None`` when its responses are not varied.
        Use it under ``lock``."""
        with self.lock:
            generator = self._random.get(account)
            if generator is None and self._global is not None:
                generator = self._random[account] = random.Random(f"{self._global}:{account}")
            return generator

    def to_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "seed": self._global,
                "accounts": dict(self._accounts),
                "random": {sid: dump(generator) for sid, generator in self._random.items()},
            }

    def load_state(self, data: dict[str, Any], where: str) -> None:
        seed = load(int | None, data["seed"], f"{where}.seed")
        accounts = load(dict[str, int], data["accounts"], f"{where}.accounts")
        generators = load(dict[str, random.Random], data["random"], f"{where}.random")
        with self.lock:
            self._global, self._accounts, self._random = seed, accounts, generators

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {"seed": self._global, "accounts": dict(self._accounts)}
