"""The ``callr-mock`` command: ``serve`` the sandbox, ``proxy`` the real API (drift report),
``drift`` of a recording, ``spec diff`` against another spec, ``spec stats`` of a spec (``spec-stats``: 0.1's spelling),
``rosetta``.

A mistake on the command line ends in one line on stderr that names the problem and the
way out, and a non-zero exit status, never a traceback: 2 for a bad argument (an option out
of range, a ``--spec`` or ``--seed`` that cannot be used), 1 when the machine refuses (the
port is taken, the host is not ours), 130 when interrupted during start-up.

The options of ``serve`` default to the environment variables of ``Settings.ENV_VARS``,
then to the built-in defaults (``callr-mock serve --help`` shows both).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ..base.settings import DEFAULT_THREADS, ENV_VARS, SERVERS, Settings
from ..base.version import __version__

if TYPE_CHECKING:
    from .server import MockServer, WsgiServer

PROG = "callr-mock"
DEFAULT_SEED = "demo"
MAX_THREADS = 256
INTERRUPTED = 130


class CliError(Exception):
    """A problem the user can fix: printed as one line, exit ``status``."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line (argparse prints the usage too): the problem, then where help is."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# -- argument types ----------------------------------------------------------------------------
def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 100")
    return value


def _account(text: str) -> tuple[str, str]:
    sid, colon, key = text.partition(":")
    if not colon or not sid or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: use ACCOUNT_SID:KEY")
    from ..contract.formats import is_sid

    if not is_sid(sid):
        raise argparse.ArgumentTypeError(f"account sid {sid!r} must be 8 lowercase letters/digits")
    return sid, key


def _bounded(name: str, low: int, high: int, hint: str = "") -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{value} is out of range: a {name} is {low}-{high}{hint}"
            )
        return value

    parse.__name__ = name  # argparse names the type in its own messages
    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    """Like ``choices=``, but also checks a default that comes from the environment."""

    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return parse


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not a yes/no value (1/0, true/false)")


def _env(field: str, default: Any) -> Any:
    return os.environ.get(ENV_VARS[field], default)


# -- the parser --------------------------------------------------------------------------------
ROSETTA_EPILOG = """\
examples:
  callr-mock rosetta sms.send                  legacy method -> its REST v2 operation(s)
  callr-mock rosetta "POST /sms"               REST operation -> the legacy method(s) (reverse lookup)
  callr-mock rosetta "/numbers/{number}"       any method on that REST path
  callr-mock rosetta                           the whole migration table
"""


def _guard_options(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--control-token",
        metavar="TOKEN",
        default=_env("control_token", None),
        help=f"require TOKEN on the {what} (header X-Callr-Mock-Token; the inspector: "
        "/_mock/ui?token=TOKEN) from every client (env CALLR_MOCK_CONTROL_TOKEN; default: none "
        "on loopback; generated and printed when --host is off loopback)",
    )
    command.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another Host name to answer (e.g. the name of a container); repeat for more "
        "(default: only loopback names and the --host address; any name on 0.0.0.0)",
    )
    command.add_argument(
        "--connection-limit",
        type=_bounded("connection limit", 1, 100_000),
        default=_env("connection_limit", "1000"),
        metavar="N",
        help="open connections at most (env CALLR_MOCK_CONNECTION_LIMIT; default: %(default)s)",
    )
    command.add_argument(
        "--channel-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="close a connection idle or dribbling for SECONDS (default: %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Callr REST API v2 sandbox: a contract-testing mock server.",
        epilog="Run 'callr-mock COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the sandbox (waitress, threaded)",
        description="Run the sandbox in the foreground until Ctrl-C or SIGTERM. Each option "
        "defaults to its environment variable, then to the default shown.",
    )
    serve.add_argument(
        "--host",
        default=_env("host", "127.0.0.1"),
        help="address to bind; 0.0.0.0 for every interface (env CALLR_MOCK_HOST; default: %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=_bounded("port", 0, 65535, " (0 picks a free one)"),
        default=_env("port", "4010"),
        help="port to listen on, 0 = any free port (env CALLR_MOCK_PORT; default: %(default)s)",
    )
    serve.add_argument(
        "--spec",
        dest="spec_path",
        metavar="PATH",
        default=_env("spec_path", None),
        help="OpenAPI file (YAML or JSON) to serve instead of the packaged Callr v2 spec, e.g. "
        "Callr's official openapi.json; checked with openapi-spec-validator "
        "(env CALLR_MOCK_SPEC; default: the packaged spec)",
    )
    serve.add_argument(
        "--seed",
        dest="seed_path",
        metavar="NAME|PATH",
        default=_env("seed_path", DEFAULT_SEED),
        help="data loaded at start: a seed set (demo, empty) or a seed file (JSON/YAML); "
        "loaded into the demo account, or as the file says when --account is given "
        "(env CALLR_MOCK_SEED; default: %(default)s)",
    )
    serve.add_argument(
        "--state-file",
        metavar="PATH",
        default=_env("state_file", None),
        help="keep the sandbox in PATH across restarts: loaded at start when it exists (then "
        "--seed is not applied), else created; saved within about a second of each change and "
        "on Ctrl-C/SIGTERM (env CALLR_MOCK_STATE_FILE; default: none, state is lost on stop)",
    )
    serve.add_argument(
        "--account",
        action="append",
        type=_account,
        default=[],
        metavar="SID:KEY",
        help="an account to create instead of the demo one (sandbox1:callr-mock-demo-key); "
        "repeat for more (default: the demo account)",
    )
    serve.add_argument(
        "--clock",
        type=_choice("real", "frozen"),
        default=_env("clock", "real"),
        metavar="{real,frozen}",
        help="sandbox clock: real time, or frozen until advanced with POST /_mock/clock/advance "
        "(env CALLR_MOCK_CLOCK; default: %(default)s)",
    )
    serve.add_argument(
        "--lenient",
        action="store_true",
        default=not _flag(_env("strict", "1")),
        help="record the mock's own contract violations without turning them into 500s "
        "(env CALLR_MOCK_STRICT=0; default: strict)",
    )
    serve.add_argument(
        "--id-seed",
        type=int,
        metavar="N",
        help="seed the sid generator, so a run can be repeated exactly (default: random)",
    )
    serve.add_argument(
        "--vary",
        dest="vary_seed",
        nargs="?",
        type=_bounded("seed", 0, 2**63 - 1),
        const=-1,
        metavar="SEED",
        help="vary every response within the contract (tolerant-reader testing), seeded "
        "(default: off; --vary alone picks a random seed, printed on start)",
    )
    serve.add_argument(
        "--threads",
        type=_bounded("thread count", 1, MAX_THREADS),
        default=_env("threads", None),
        metavar="N",
        help=f"Python threads answering requests, 1-{MAX_THREADS} (env CALLR_MOCK_THREADS; "
        + "default: "
        + ", ".join(f"{n} on {name}" for name, n in DEFAULT_THREADS.items())
        + ")",
    )
    serve.add_argument(
        "--server",
        choices=SERVERS,
        default=_env("server", Settings.server),
        help="the HTTP server: granian (Rust HTTP I/O, fast) or waitress (pure Python) "
        "(env CALLR_MOCK_SERVER; default: %(default)s)",
    )
    _guard_options(serve, "control API and the inspector (/_mock/*)")
    serve.add_argument(
        "--deny-private-webhooks",
        action="store_true",
        default=_flag(_env("deny_private_webhooks", "0")),
        help="never deliver webhooks (nor run fetch@v2) to loopback or private addresses, for "
        "a sandbox others can reach (env CALLR_MOCK_DENY_PRIVATE_WEBHOOKS=1; default: local "
        "receivers allowed)",
    )
    serve.add_argument(
        "--actions-schema",
        default=_env("actions_schema", "") or None,
        metavar="FILE",
        help="the JSON Schema scenario scripts are checked against, e.g. Callr's own "
        "(env CALLR_MOCK_ACTIONS_SCHEMA; default: the packaged one, inferred from Callr's docs)",
    )

    proxy = commands.add_parser(
        "proxy",
        help="forward to the real API unchanged and report where it disagrees with the spec",
        description="Forward /v2.0 requests unchanged to the real API and check requests "
        "and answers against the spec; the drift report is at /_mock/drift.",
    )
    proxy.add_argument(
        "--upstream",
        required=True,
        help="the real API's base URL, e.g. https://api.callr.com/v2.0 (required; no default)",
    )
    proxy.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    proxy.add_argument(
        "--port",
        type=_bounded("port", 0, 65535, " (0 picks a free one)"),
        default=4010,
        help="port to listen on, 0 = any free port (default: %(default)s)",
    )
    proxy.add_argument(
        "--spec",
        dest="spec_path",
        metavar="PATH",
        help="OpenAPI file to check against (default: the packaged spec)",
    )
    proxy.add_argument(
        "--record",
        dest="record_dir",
        metavar="DIR",
        help="write each exchange (redacted) to DIR (default: no recording)",
    )
    proxy.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds to wait for the upstream (default: %(default)s)",
    )
    proxy.add_argument(
        "--threads",
        type=_bounded("thread count", 1, MAX_THREADS),
        default=8,
        metavar="N",
        help=f"worker threads, 1-{MAX_THREADS} (default: %(default)s)",
    )
    _guard_options(proxy, "drift report (/_mock/drift)")
    drift = commands.add_parser(
        "drift", help="the drift report of a proxy recording (--record DIR)"
    )
    drift.add_argument("directory", metavar="DIR", help="a directory written by proxy --record")
    drift.add_argument(
        "--spec",
        dest="spec_path",
        metavar="PATH",
        help="OpenAPI file to check against (default: the packaged spec)",
    )
    drift.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="report format (default: %(default)s)",
    )

    cov = commands.add_parser(
        "coverage",
        help="what a suite exercised on a running sandbox (operations, statuses, events, ...)",
        description="Print the coverage report of a running callr-mock (GET /_mock/coverage).",
    )
    cov.add_argument(
        "--url",
        default="http://127.0.0.1:4010",
        help="root URL of the running sandbox (default: %(default)s)",
    )
    cov.add_argument(
        "--account", metavar="SID", help="count one account only (default: all accounts)"
    )
    cov.add_argument(
        "--format",
        choices=("text", "markdown", "html", "json"),
        default="text",
        help="report format (default: %(default)s)",
    )
    cov.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PCT",
        help="exit 1 when operation coverage is below PCT, 0-100 (default: never)",
    )

    spec = commands.add_parser("spec", help="tools for the contract: spec diff, spec stats")
    spec_commands = spec.add_subparsers(
        dest="spec_command",
        required=True,
        metavar="{diff,stats}",
        help="diff: compare THEIRS with OURS; stats: confirmed vs inferred",
    )
    diff = spec_commands.add_parser(
        "diff",
        help="how THEIRS (e.g. Callr's official openapi.json) differs from OURS",
        description="List how THEIRS differs from OURS (operations, parameters, bodies, "
        "statuses, content types, security schemes), each difference with the provenance "
        "of our side. Exit status 1 when THEIRS contradicts something we mark confirmed.",
    )
    diff.add_argument(
        "specs",
        nargs="+",
        metavar="[OURS] THEIRS",
        help="OpenAPI files, YAML or JSON (OURS default: the packaged spec)",
    )
    diff.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="report format (default: %(default)s)",
    )

    for stats in (
        spec_commands.add_parser(
            "stats",
            help="count confirmed vs inferred parts of a spec",
            description="Count the operations and schemas of a spec tagged x-provenance "
            "confirmed or inferred, and list the inferred ones.",
        ),
        commands.add_parser(
            "spec-stats",
            help="the 0.1 spelling of 'spec stats' (deprecated, goes in 0.3)",
            description="Deprecated: use 'callr-mock spec stats'.",
        ),
    ):
        stats.add_argument("spec", nargs="?", help="spec file (default: the packaged one)")

    rosetta = commands.add_parser(
        "rosetta",
        help="legacy JSON-RPC method <-> REST v2 operation (the migration table)",
        description="Look up the migration guide's table, both ways: a legacy JSON-RPC\n"
        "method gives its REST v2 operation(s); a REST path, with or without its HTTP\n"
        "method, gives the legacy method(s) (reverse lookup).",
        epilog=ROSETTA_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rosetta.add_argument(
        "query",
        nargs="*",
        metavar="METHOD | 'VERB /path'",
        help="a legacy method (sms.send) or a REST operation ('POST /sms', '/sms'); "
        "omit to print the whole table",
    )
    return parser


# -- serve ------------------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> Settings:
    if args.server not in SERVERS:  # argparse leaves a default unchecked
        raise CliError(f"--server {args.server!r} (CALLR_MOCK_SERVER): use {' or '.join(SERVERS)}")
    return Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec_path,
        seed_path=None if args.seed_path in ("", "empty") else args.seed_path,
        accounts=list(args.account),
        clock=args.clock,
        strict=not args.lenient,
        id_seed=args.id_seed,
        threads=args.threads,
        server=args.server,
        vary_seed=_chosen_seed(args.vary_seed),
        state_file=args.state_file or None,
        deny_private_webhooks=args.deny_private_webhooks,
        actions_schema=args.actions_schema,
        **_guard_settings(args),
    )


def _guard_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The guard's settings; off loopback without a token, one is generated (and printed)."""
    from ..web.frame.guard import is_loopback, new_token

    token = args.control_token or None
    if token is None and not is_loopback(args.host):
        token = new_token()
        args.generated_token = True
    return {
        "control_token": token,
        "allowed_hosts": list(args.allowed_host),
        "connection_limit": args.connection_limit,
        "channel_timeout": args.channel_timeout,
    }


def _token_lines(server: WsgiServer) -> list[str]:
    """The banner's token line (none without a token); off loopback, a warning on stderr."""
    from ..web.frame.guard import is_loopback

    token = server.settings.control_token
    if token is None:
        return []
    if not is_loopback(server.settings.host):
        print(
            f"callr-mock: warning: bound to {server.settings.host}, off loopback: other machines "
            "can reach this server; its control API needs the control token printed below",
            file=sys.stderr,
            flush=True,
        )
    return [
        f"  control token: {token}  (header X-Callr-Mock-Token on /_mock/*; "
        f"inspector: {server.url}/_mock/ui?token={token})"
    ]


def _chosen_seed(seed: int | None) -> int | None:
    """``--vary`` alone (-1) draws a seed; the banner prints it so a run can be repeated."""
    if seed != -1:
        return seed
    from ..state.vary import new_seed

    return new_seed()


def _build(settings: Settings) -> MockServer:
    """The app, with its spec and seed loaded; CliError for what the user must fix."""
    from ..base.errors import ApiError
    from ..contract.spec import SpecError, check_openapi, load_spec
    from ..services.state_file import StateFileError
    from .server import MockServer

    if settings.spec_path is not None:
        try:
            check_openapi(load_spec(settings.spec_path), settings.spec_path)
        except SpecError as error:
            raise CliError(f"--spec: {error}") from None
    if settings.actions_schema is not None:
        from ..contract.actions_script import ScriptChecker, load_schema

        try:
            ScriptChecker(load_schema(settings.actions_schema))
        except ValueError as error:
            first = str(error).strip().splitlines()[0]
            if not first.startswith("--actions-schema"):
                first = f"--actions-schema {settings.actions_schema}: {first}"
            raise CliError(first) from None
    try:
        return MockServer(settings)
    except ModuleNotFoundError as error:
        if error.name != "granian":
            raise
        raise CliError(
            "--server granian needs granian (pip install granian), or use --server waitress"
        ) from None
    except SpecError as error:
        raise CliError(f"--spec: {error}") from None
    except ApiError as error:  # the seed: unknown name, broken file, objects the spec refuses
        raise CliError(f"--seed {settings.seed_path}: {error.message}") from None
    except StateFileError as error:  # names the file; the file is left as it was
        raise CliError(f"--state-file: {error}") from None


def _bind(server: WsgiServer) -> None:
    host, port = server.settings.host, server.settings.port
    try:
        server.bind()
    except (socket.gaierror, ValueError):  # waitress turns a failed name lookup into ValueError
        raise CliError(
            f"cannot bind --host {host}: no such host; use an address or name of this "
            "machine, e.g. 127.0.0.1 or 0.0.0.0",
            status=1,
        ) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            problem = (
                f"port {port} on {host} is already in use (another callr-mock?); stop it, "
                "or pick another --port (0 = any free port)"
            )
        elif error.errno == errno.EACCES:
            problem = (
                f"not allowed to listen on {host}:{port} (ports below 1024 need privileges); "
                "use a --port above 1023"
            )
        elif error.errno == errno.EADDRNOTAVAIL:
            problem = (
                f"cannot bind --host {host}: it is not an address of this machine; use "
                "127.0.0.1, 0.0.0.0 or one of its own addresses"
            )
        else:
            problem = f"cannot listen on {host}:{port}: {error.strerror or error}"
        raise CliError(problem, status=1) from None


def _seed_line(server: MockServer) -> str:
    state = server.state_file
    if state is not None and state.restored:
        return f"  state: continued from {state.path} ({_counts(server)}); saved as it changes"
    seed = server.settings.seed_path
    kept = f"; kept in {state.path}" if state is not None else ""
    if not seed:
        return "  seed: empty (start with --seed demo for sample numbers, scenarios and SMS)" + kept
    return f"  seed: {seed} ({_counts(server)}){kept}"


def _counts(server: MockServer) -> str:
    counts: dict[str, int] = {}
    for account in server.runtime.store.accounts():
        for name, items in account.snapshot().items():
            if isinstance(items, list) and items:
                counts[name] = counts.get(name, 0) + len(items)
    what = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
    return what or "nothing"


def _print_ready(server: MockServer) -> None:
    rt = server.runtime
    lines = [
        f"callr-mock {rt.contract.title} on {server.url}/v2.0",
        f"  control API: {server.url}/_mock/health   clock: {rt.store.clock.mode}",
        f"  legacy JSON-RPC: {server.url}/json-rpc/v1.1/",
        _seed_line(server),
    ]
    vary = server.settings.vary_seed
    if vary is not None:
        lines.append(f"  responses vary within the contract: seed {vary} (repeat: --vary {vary})")
    accounts = server.settings.initial_accounts()
    if server.state_file is not None and server.state_file.restored:
        accounts = [(a.sid, a.key) for a in rt.store.accounts() if a.key] or accounts
    lines += [f"  account {sid}  x-api-key: {key}   (Basic {sid}:{key})" for sid, key in accounts]
    if rt.unhandled:
        lines.append(
            f"  {len(rt.unhandled)} operation(s) answer from the spec only: "
            + ", ".join(sorted(rt.unhandled))
        )
    lines += _token_lines(server)
    lines.append(f"  try: curl -H 'x-api-key: {accounts[0][1]}' {server.url}/v2.0/ping")
    print("\n".join(lines), flush=True)


def serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = _build(settings)
    _bind(server)
    server.serve_forever(on_ready=_print_ready)
    if server.state_file is not None and server.state_file.problem:
        raise CliError(f"{server.state_file.problem}; the last changes are lost", status=1)
    kept = f"; state saved in {server.state_file.path}" if server.state_file else ""
    print(f"callr-mock stopped{kept}", flush=True)
    if settings.server == "granian":
        _leave_now(0)
    return 0


def _leave_now(status: int) -> None:
    """End the process without the interpreter's finalization, all being done (the state
    saved, the last line printed): granian's native threads may still be winding down, and
    one that touches Python while the interpreter finalizes aborts the process (a pyo3
    panic, exit status 134; seen about once in 30 stops right after the banner)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


# -- proxy and drift ------------------------------------------------------------------------------
def proxy(args: argparse.Namespace) -> int:
    from ..proxy.app import ProxySettings
    from .proxy_server import ProxyServer

    settings = Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec_path,
        threads=args.threads,
        max_body_bytes=64 << 20,
        **_guard_settings(args),
    )
    try:
        server = ProxyServer(
            ProxySettings(args.upstream, record_dir=args.record_dir, timeout=args.timeout),
            settings,
        )
    except (ValueError, OSError) as error:
        raise CliError(str(error)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _bind(server)

    def ready(running: object) -> None:
        print(f"callr-mock proxy on {server.url}/v2.0 -> {args.upstream}", flush=True)
        print(f"  checking against {server.proxy.contract.title}", flush=True)
        print(f"  drift report: {server.url}/_mock/drift", flush=True)
        for line in _token_lines(server):
            print(line, flush=True)
        if args.record_dir:
            print(f"  recording exchanges (redacted) to {args.record_dir}", flush=True)

    server.serve_forever(on_ready=ready)
    print(server.proxy.summary(), end="", flush=True)
    print("callr-mock proxy stopped", flush=True)
    return 0


def drift(args: argparse.Namespace) -> int:
    from ..contract.compiled import contract_for
    from ..proxy.drift import DriftReport, render
    from ..proxy.legacy_drift import LegacyDrift
    from ..proxy.recording import RecordingError, read_recording
    from .proxy_server import sandbox_shadow

    try:
        exchanges = read_recording(args.directory)
        report = DriftReport(contract_for(args.spec_path), LegacyDrift(sandbox_shadow()))
    except (RecordingError, ValueError, OSError) as error:
        raise CliError(str(error)) from None
    for exchange in exchanges:
        report.add(exchange)
    print(render(report.to_json(), args.format), end="")
    return 0


def coverage(args: argparse.Namespace) -> int:
    import requests

    from ..contract.coverage import render
    from ..web.frame.guard import control_headers

    url = args.url.rstrip("/") + "/_mock/coverage"
    try:
        answer = requests.get(
            url,
            params={"account": args.account} if args.account else {},
            headers=control_headers(),
            timeout=30,
        )
    except requests.RequestException as error:
        raise CliError(
            f"cannot reach {url} ({type(error).__name__}); is callr-mock serve running?", 1
        ) from None
    if answer.status_code != 200:
        raise CliError(f"{url} answered {answer.status_code}: {answer.text[:200]}", 1)
    result = answer.json()
    print(render(result, args.format), end="")
    percent = result["summary"]["percent"]
    if args.fail_under is not None and percent < args.fail_under:
        raise CliError(
            f"operation coverage {percent}% is below --fail-under {args.fail_under:g}%", 1
        )
    return 0


def spec_diff(args: argparse.Namespace) -> int:
    from ..contract import spec_diff as differ

    if len(args.specs) > 2:
        raise CliError("give THEIRS, or OURS THEIRS (two files at most)")
    ours, theirs = (None, args.specs[0]) if len(args.specs) == 1 else args.specs
    try:
        return differ.main(ours, theirs, args.format)
    except (OSError, ValueError) as error:
        raise CliError(f"cannot read {error}") from None
    except Exception as error:  # e.g. a YAML syntax error: one line, no traceback
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CliError(first) from None


# -- entry point --------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serve(args)
    if args.command == "proxy":
        return proxy(args)
    if args.command == "drift":
        return drift(args)
    if args.command == "spec" and args.spec_command == "diff":
        return spec_diff(args)
    if args.command == "coverage":
        return coverage(args)
    if args.command in ("spec", "spec-stats"):
        from ..contract import provenance

        if args.command == "spec-stats":
            print(
                f"{PROG}: 'spec-stats' is now 'spec stats'; the old spelling goes in 0.3",
                file=sys.stderr,
            )
        return int(provenance.main([args.spec] if args.spec else []) or 0)
    from ..handlers.legacy import rosetta as rosetta_module

    return int(rosetta_module.main(args.query) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except CliError as error:
        command = " ".join(filter(None, [args.command, getattr(args, "spec_command", None)]))
        print(f"{PROG} {command}: error: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted during start-up; nothing is running", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `callr-mock spec stats | head`: the reader has all it wants
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the final flush at exit raises nothing
        return 0


if __name__ == "__main__":
    sys.exit(main())
