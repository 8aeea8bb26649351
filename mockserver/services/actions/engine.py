"""The JavaScript of a scenario run: ``${{ expression }}``, ``if:`` and ``javascript@v1``.

Callr evaluates them "by a modern JavaScript engine" (docs.callr.com, Callr Actions
reference). Here it is QuickJS (the ``quickjs`` package; ``bench/js_engines.py`` measured it
against V8 through mini-racer and Duktape through dukpy: the cheapest context and expression,
the least memory, a working time limit). Each run gets a context of its own, with no module
loader, no file, network or process access (QuickJS's ``std``/``os`` modules are not
loaded); every evaluation has a time limit and the context a memory limit, so a script can
neither hang nor escape the sandbox.

Values cross as JSON: what goes in (variables, ``sms``, ``call``, ``run``, ``scenario``) is
defined as JSON; what comes out is read back with ``JSON.stringify`` (``undefined`` is
``None``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import quickjs

TIME_LIMIT_SECONDS = 1.0
"""The longest one evaluation may run (a ``while (true) {}`` ends there, the run failed)."""
MEMORY_LIMIT_BYTES = 32 * 1024 * 1024
TEMPLATE = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.S)
IDENTIFIER = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_]*$")


class ExpressionError(Exception):
    """An expression that does not evaluate: a syntax error, a thrown error, the time or
    memory limit. ``str()`` says which, with the expression."""


class Expressions:
    """One run's JavaScript context."""

    def __init__(self) -> None:
        self._context = quickjs.Context()
        self._context.set_time_limit(TIME_LIMIT_SECONDS)
        self._context.set_memory_limit(MEMORY_LIMIT_BYTES)

    def define(self, name: str, value: Any) -> None:
        """A global of the run (``$greeting``, ``sms``, ``call``...), as JSON."""
        if not IDENTIFIER.match(name):
            raise ExpressionError(f"{name!r} is not a variable name")
        self._run(f"globalThis[{json.dumps(name)}] = {json.dumps(value, default=str)};", name)

    def define_now(self, at: datetime) -> None:
        """``now``: a JavaScript ``Date`` at the sandbox clock's time."""
        self._run(f"globalThis.now = new Date({int(at.timestamp() * 1000)});", "now")

    def read(self, name: str) -> Any:
        """A global's value as JSON data (None when undefined)."""
        return self.evaluate(name)

    def evaluate(self, expression: str) -> Any:
        """The value of one JavaScript expression, as JSON data."""
        source = f"(function () {{ const __v = ({expression}); return __v === undefined ? 'null' : JSON.stringify(__v); }})()"
        text = self._run(source, expression)
        return None if text is None else json.loads(text)

    def truthy(self, expression: str) -> bool:
        """Whether ``expression`` is truthy, as JavaScript says (``if:``)."""
        return bool(self._run(f"!!({expression})", expression))

    def execute(self, code: str) -> None:
        """Run statements (``javascript@v1``): they may assign the run's variables."""
        self._run(code, code)

    def render(self, value: Any) -> Any:
        """``params`` with every ``${{ }}`` evaluated: a string that is one expression keeps
        the expression's type (a list, a number); one with text around it is a string."""
        if isinstance(value, dict):
            return {key: self.render(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if not isinstance(value, str) or "${{" not in value:
            return value
        whole = TEMPLATE.fullmatch(value.strip())
        if whole:
            return self.evaluate(whole.group(1))

        def one(match: re.Match[str]) -> str:
            result = self.evaluate(match.group(1))
            if isinstance(result, str):
                return result
            return "" if result is None else json.dumps(result, ensure_ascii=False)

        return TEMPLATE.sub(one, value)

    def _run(self, source: str, shown: str) -> Any:
        try:
            return self._context.eval(source)
        except quickjs.JSException as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else "error"
            if "interrupted" in first:
                first = f"took longer than {TIME_LIMIT_SECONDS:g} s (the time limit)"
            elif "out of memory" in first:
                first = f"used more than {MEMORY_LIMIT_BYTES >> 20} MB (the memory limit)"
            raise ExpressionError(f"{first} in `{_short(shown)}`") from None
        except (TypeError, ValueError) as error:  # a value QuickJS cannot hand back
            raise ExpressionError(f"{error} in `{_short(shown)}`") from None


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
