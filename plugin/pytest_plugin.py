"""pytest plugin of callr-mock (entry point ``pytest11``: installing callr-mock is enough).

Fixtures
    ``callr_mock_server`` (session)  the mock on 127.0.0.1 and a free port (one per xdist
                                     worker), or the server of ``--callr-mock-url``
    ``callr_mock``                   a fresh isolated account per test + clock, seeding,
                                     journal, events, deliveries, ``check()``; a contract
                                     violation recorded during the test fails that test
    ``callr_client``                 ``requests.Session`` with ``x-api-key`` and the base URL
    ``callr_webhook_receiver``       a local HTTP endpoint collecting webhook deliveries

Options (ini key in brackets): ``--callr-mock-spec`` [callr_mock_spec],
``--callr-mock-seed`` [callr_mock_seed], ``--callr-mock-url`` [callr_mock_url],
``--callr-mock-strict`` / ``--callr-mock-lenient`` [callr_mock_strict],
``--callr-mock-clock real|frozen`` [callr_mock_clock], ``--callr-mock-vary[=SEED]``
[callr_mock_vary]. Marker: ``@pytest.mark.callr_mock(seed="demo", clock="frozen",
now="2024-04-24T12:00:00Z", credit="500.00", vary=True)``.

This module imports nothing heavy: Flask, waitress and requests load when a fixture is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .parity import callr_legacy_client, callr_parity  # noqa: F401  (fixtures)

if TYPE_CHECKING:
    from ._client import CallrClient
    from ._coverage import CoverageOptions
    from .handle import CallrMock, PluginOptions, SessionServer
    from .receiver import WebhookReceiver

CLOCK_MODES = ("frozen", "real")
MARKER_KEYS = ("seed", "clock", "now", "credit", "vary")
OPTIONS_KEY = pytest.StashKey["PluginOptions"]()
COV_OPTIONS_KEY = pytest.StashKey["CoverageOptions"]()
COV_REPORTS_KEY = pytest.StashKey[list[dict[str, Any]]]()
COV_RESULT_KEY = pytest.StashKey[tuple[dict[str, Any] | None, list[str]]]()
SERVER_KEY = pytest.StashKey["SessionServer"]()
HANDLE_KEY = pytest.StashKey["CallrMock"]()


# -- options, marker, header -------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("callr-mock", "callr-mock: Callr REST API v2 sandbox")
    group.addoption(
        "--callr-mock-spec",
        dest="callr_mock_spec",
        metavar="PATH",
        help="OpenAPI file the in-process mock serves (default: the packaged Callr v2 spec)",
    )
    group.addoption(
        "--callr-mock-seed",
        dest="callr_mock_seed",
        metavar="NAME|PATH",
        help="seed set loaded into every test's account (demo, empty, or a seed file)",
    )
    group.addoption(
        "--callr-mock-url",
        dest="callr_mock_url",
        metavar="URL",
        help="run against an external callr-mock (e.g. http://127.0.0.1:4010) instead of an in-process one",
    )
    group.addoption(
        "--callr-mock-strict",
        dest="callr_mock_strict",
        action="store_true",
        default=None,
        help="a response breaking the spec is a 500 and fails the test (default)",
    )
    group.addoption(
        "--callr-mock-lenient",
        dest="callr_mock_strict",
        action="store_false",
        help="responses breaking the spec go through; violations are warnings, not failures",
    )
    group.addoption(
        "--callr-mock-clock",
        dest="callr_mock_clock",
        choices=CLOCK_MODES,
        help="sandbox clock of each test: frozen (default; starts at 2026-01-01T12:00:00Z) or real",
    )
    group.addoption(
        "--callr-mock-vary",
        dest="callr_mock_vary",
        nargs="?",
        const="random",
        metavar="SEED",
        help="vary every response within the contract (tolerant-reader testing); each test's "
        "seed derives from SEED (default: random) and its node id, and is printed when it fails",
    )
    group.addoption(
        "--callr-mock-cov",
        dest="callr_mock_cov",
        action="store_true",
        default=None,
        help="report which Callr operations, statuses, error codes, events and lifecycles "
        "the suite exercised (section 'callr-mock coverage')",
    )
    group.addoption(
        "--callr-mock-cov-report",
        dest="callr_mock_cov_report",
        action="append",
        metavar="KIND",
        help="term, json:PATH, html:PATH or markdown:PATH (repeatable; implies --callr-mock-cov; "
        "default: term)",
    )
    group.addoption(
        "--callr-mock-cov-fail-under",
        dest="callr_mock_cov_fail_under",
        type=float,
        metavar="PCT",
        help="fail the session when operation coverage is below PCT percent",
    )
    parser.addini("callr_mock_cov", "callr-mock coverage report", type="bool", default=False)
    parser.addini(
        "callr_mock_cov_fail_under",
        "fail when callr-mock operation coverage is below",
        default=None,
    )
    parser.addini("callr_mock_spec", "OpenAPI file for the in-process callr-mock", default=None)
    parser.addini(
        "callr_mock_vary", "callr-mock: vary responses within the contract (a seed)", default=None
    )
    parser.addini(
        "callr_mock_seed", "seed set loaded into every test's callr-mock account", default=None
    )
    parser.addini("callr_mock_url", "external callr-mock server to test against", default=None)
    parser.addini(
        "callr_mock_strict", "callr-mock strict contract checking", type="bool", default=True
    )
    parser.addini("callr_mock_clock", "callr-mock sandbox clock: frozen or real", default="frozen")


def _ini_path(config: pytest.Config, value: str) -> str:
    """A path from the ini file is relative to the ini file's folder."""
    base = config.inipath.parent if config.inipath else config.rootpath
    path = Path(value)
    return str(path if path.is_absolute() else base / path)


def _resolve_options(config: pytest.Config) -> PluginOptions:
    from .handle import PluginOptions

    def pick(name: str) -> tuple[Any, bool]:
        value = config.getoption(f"callr_mock_{name}")
        if value is not None:
            return value, False
        return config.getini(f"callr_mock_{name}") or None, True

    spec, spec_from_ini = pick("spec")
    seed, seed_from_ini = pick("seed")
    url, _ = pick("url")
    clock, _ = pick("clock")
    vary_option, _ = pick("vary")
    vary: int | None = None
    if vary_option == "random":
        from callr_mock.state.vary import new_seed

        vary = new_seed()
    elif vary_option is not None:
        try:
            vary = int(vary_option)
        except ValueError:
            raise pytest.UsageError(
                f"--callr-mock-vary takes an integer seed (or nothing), not {vary_option!r}"
            ) from None
    strict = config.getoption("callr_mock_strict")
    if strict is None:
        strict = bool(config.getini("callr_mock_strict"))
    if spec and spec_from_ini:
        spec = _ini_path(config, spec)
    if spec and not Path(spec).is_file():
        raise pytest.UsageError(f"--callr-mock-spec: no such file {spec}")
    if seed and seed_from_ini and ("/" in seed or "." in seed):
        seed = _ini_path(config, seed)
    elif seed and Path(seed).is_file():  # a file named on the command line: fix it now
        seed = str(Path(seed).resolve())
    clock = clock or "frozen"
    if clock not in CLOCK_MODES:
        raise pytest.UsageError(
            f"callr_mock_clock must be one of {', '.join(CLOCK_MODES)}, not {clock!r}"
        )
    if url and not re.match(r"^https?://", url):
        raise pytest.UsageError(f"--callr-mock-url must be an http(s) URL, not {url!r}")
    return PluginOptions(spec=spec, seed=seed, url=url, strict=strict, clock=clock, vary=vary)


def _resolve_coverage(config: pytest.Config) -> CoverageOptions:
    from ._coverage import CoverageOptions, parse_report

    reports = config.getoption("callr_mock_cov_report") or []
    fail_under = config.getoption("callr_mock_cov_fail_under")
    if fail_under is None and config.getini("callr_mock_cov_fail_under"):
        try:
            fail_under = float(config.getini("callr_mock_cov_fail_under"))
        except ValueError:
            raise pytest.UsageError("callr_mock_cov_fail_under must be a number") from None
    if fail_under is not None and not 0 <= fail_under <= 100:
        raise pytest.UsageError("--callr-mock-cov-fail-under must be between 0 and 100")
    enabled = (
        bool(config.getoption("callr_mock_cov") or config.getini("callr_mock_cov") or reports)
        or fail_under is not None
    )
    try:
        parsed = [parse_report(text) for text in reports] or [("term", None)]
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    return CoverageOptions(enabled=enabled, reports=parsed, fail_under=fail_under)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "callr_mock(seed=None, clock=None, now=None, credit=None, vary=None): per-test callr-mock "
        "account: seed set (name, path or dict; None = empty), clock 'frozen' or 'real', frozen "
        "start time (datetime or RFC 3339), initial prepaid credit, contract-valid variation "
        "(True, False or a seed)",
    )
    config.stash[OPTIONS_KEY] = _resolve_options(config)
    config.stash[COV_OPTIONS_KEY] = _resolve_coverage(config)
    config.stash[COV_REPORTS_KEY] = []
    import sys

    if "schemathesis" in sys.modules:  # register our formats only if the user loads it anyway
        from .strategies import register_schemathesis_formats

        register_schemathesis_formats()


def pytest_sessionstart(session: pytest.Session) -> None:
    """An external ``--callr-mock-url`` that cannot be reached stops the run at once, with
    one line (not the same error for every test)."""
    options = session.config.stash[OPTIONS_KEY]
    if not options.url or hasattr(session.config, "workerinput"):
        return
    from ._control import CallrMockError, ControlClient, _HttpTransport

    root = options.url.rstrip("/").removesuffix("/v2.0")
    client = ControlClient(_HttpTransport(root, timeout=5.0))
    try:
        client.health()
    except CallrMockError as error:
        raise pytest.UsageError(f"--callr-mock-url={options.url}: {error}") from None
    finally:
        client.transport.close()


def _spec_title(path: str | None) -> str:
    """Title and version of a spec without parsing all of it (the header must stay cheap)."""
    try:
        if path is None:
            from importlib import resources

            text = (
                resources.files("callr_mock.spec")
                .joinpath("callr-v2.yaml")
                .read_text(encoding="utf-8")
            )
        else:
            text = Path(path).read_text(encoding="utf-8")
        if text.lstrip().startswith("{"):
            info = json.loads(text).get("info", {})
            return f"{info.get('title', '?')} {info.get('version', '')}".strip()
        block = re.search(r"^info:\s*\n((?:[ \t]+.*\n|\s*\n)*)", text, re.MULTILINE)
        fields = (
            dict(
                re.findall(
                    r"^  (title|version):\s*['\"]?(.*?)['\"]?\s*$", block.group(1), re.MULTILINE
                )
            )
            if block
            else {}
        )
        return f"{fields.get('title', '?')} {fields.get('version', '')}".strip()
    except (OSError, ValueError):
        return "?"


def pytest_report_header(config: pytest.Config) -> str:
    options = config.stash[OPTIONS_KEY]
    where = options.url or "in-process, 127.0.0.1 on a free port per worker"
    spec = _spec_title(options.spec) if not options.url else "served by the external server"
    if options.spec and not options.url:
        spec += f" ({options.spec})"
    mode = "strict" if options.strict else "lenient"
    header = f"callr-mock: {spec} | url: {where} | seed: {options.seed or 'none'} | clock: {options.clock} | {mode}"
    if options.vary is not None:
        header += f" | vary: {options.vary}"
    return header


# -- fixtures --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def callr_mock_server(request: pytest.FixtureRequest) -> Iterator[SessionServer]:
    """The session's callr-mock: ``.url``, ``.api_url``, ``.runtime`` (in-process), ``.control``."""
    from callr_mock.contract.spec import SpecError

    from ._control import CallrMockError
    from .handle import SessionServer

    config = request.config
    try:
        server = SessionServer(config.stash[OPTIONS_KEY])
    except SpecError as error:
        pytest.fail(f"--callr-mock-spec: {error}", pytrace=False)
    except CallrMockError as error:
        pytest.fail(str(error), pytrace=False)
    config.stash[SERVER_KEY] = server
    yield server
    try:
        if config.stash[COV_OPTIONS_KEY].enabled:
            from ._coverage import collect

            config.stash[COV_REPORTS_KEY].append(collect(server))
    finally:
        server.stop()


def _marker_error(message: str) -> NoReturn:
    """A bad ``callr_mock`` marker: the test fails with this one line, no plugin traceback."""
    pytest.fail(message, pytrace=False)


def _test_settings(node: pytest.Item, options: PluginOptions) -> Any:
    from callr_mock.state.timefmt import parse

    from .handle import TestSettings

    settings = TestSettings(seed=options.seed, clock=options.clock)
    if options.vary is not None:
        settings.vary = _test_seed(options.vary, node.nodeid)
    marker = node.get_closest_marker("callr_mock")
    if marker is None:
        return settings
    if marker.args:
        _marker_error(f"{node.nodeid}: @pytest.mark.callr_mock takes keyword arguments only")
    unknown = sorted(set(marker.kwargs) - set(MARKER_KEYS))
    if unknown:
        _marker_error(
            f"{node.nodeid}: @pytest.mark.callr_mock got {', '.join(unknown)}; it takes {', '.join(MARKER_KEYS)}"
        )
    if "seed" in marker.kwargs:
        settings.seed = marker.kwargs["seed"]
    clock = marker.kwargs.get("clock")
    if clock is not None:
        if clock not in CLOCK_MODES:
            _marker_error(
                f"{node.nodeid}: callr_mock clock must be 'frozen' or 'real', not {clock!r}"
            )
        settings.clock = clock
    now = marker.kwargs.get("now")
    if now is not None:
        try:
            settings.now = parse(now) if isinstance(now, str) else now
        except ValueError:
            _marker_error(f"{node.nodeid}: callr_mock now={now!r} is not an RFC 3339 date-time")
        if not isinstance(settings.now, datetime) or settings.now.tzinfo is None:
            _marker_error(
                f"{node.nodeid}: callr_mock now= needs an aware datetime or RFC 3339 text"
            )
    if "vary" in marker.kwargs:
        vary = marker.kwargs["vary"]
        if vary is True:
            settings.vary = _test_seed(options.vary or 0, node.nodeid)
        elif vary is False or vary is None:
            settings.vary = None
        elif isinstance(vary, int) and vary >= 0:
            settings.vary = vary
        else:
            _marker_error(
                f"{node.nodeid}: callr_mock vary= takes True, False or a seed (int >= 0), not {vary!r}"
            )
    credit = marker.kwargs.get("credit")
    settings.credit = None if credit is None else str(credit)
    return settings


def _test_seed(base: int, nodeid: str) -> int:
    """One test's variation seed: the same for the same base and test, whatever else runs."""
    import zlib

    return zlib.crc32(f"{base}:{nodeid}".encode())


@pytest.fixture
def callr_mock(
    request: pytest.FixtureRequest, callr_mock_server: SessionServer
) -> Iterator[CallrMock]:
    """A fresh, isolated account on the mock for this test (deleted afterwards)."""
    import time

    from .handle import CallrMock

    started = time.perf_counter()
    settings = _test_settings(request.node, callr_mock_server.options)
    handle = CallrMock(callr_mock_server, settings, strict=callr_mock_server.options.strict)
    stats = callr_mock_server.stats
    stats.accounts += 1
    callr_mock_server.accounts.append(handle.account_sid)
    stats.setup_seconds += time.perf_counter() - started
    request.node.stash[HANDLE_KEY] = handle
    yield handle
    started = time.perf_counter()
    late = handle.close()
    stats.teardown_seconds += time.perf_counter() - started
    if late:
        handle.report(late)


@pytest.fixture
def callr_client(callr_mock: CallrMock) -> CallrClient:
    """A ``requests.Session`` authenticated as the test's account; relative paths go to ``base_url``."""
    return callr_mock.client()


@pytest.fixture
def callr_webhook_receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP endpoint on 127.0.0.1 collecting webhook deliveries (``.url``, ``.wait_for``)."""
    from .receiver import WebhookReceiver

    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


# -- violations fail the test that caused them ---------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    handle = item.stash.get(HANDLE_KEY, None)
    if handle is None:
        return (yield)
    try:
        result = yield
    except Exception as error:  # the test failed on its own: attach the violations to its report
        report = handle.unreported()
        if report:
            error.add_note(report)
        raise
    report = handle.unreported()
    if report:
        handle.report(report)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    handle = item.stash.get(HANDLE_KEY, None)
    if report.failed and handle is not None and handle.vary_seed is not None:
        seed = handle.vary_seed
        report.sections.append(
            (
                "callr-mock --vary",
                f"responses of account {handle.account_sid} varied within the contract with seed "
                f"{seed}; repeat with @pytest.mark.callr_mock(vary={seed}) or callr_mock.vary(seed={seed})",
            )
        )
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    _coverage_summary(terminalreporter, config)
    server = config.stash.get(SERVER_KEY, None)
    if server is None or config.get_verbosity() < 1:
        return
    stats = server.stats
    where = server.url if server.external else f"in-process at {server.url}"
    line = f"callr-mock ({where}): ready in {stats.startup_seconds or 0:.3f} s"
    if stats.accounts:
        per_test = (stats.setup_seconds + stats.teardown_seconds) / stats.accounts * 1000
        line += f"; {stats.accounts} test account(s), {per_test:.1f} ms each to create and delete"
    terminalreporter.write_line(line)


# -- coverage: what the suite exercised (--callr-mock-cov) ---------------------------------------
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist controller: take each worker's report."""
    from ._coverage import WORKER_OUTPUT_KEY

    text = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
    if text:
        node.config.stash[COV_REPORTS_KEY].append(json.loads(text))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    options = config.stash.get(COV_OPTIONS_KEY, None)
    if options is None or not options.enabled:
        return
    reports = config.stash[COV_REPORTS_KEY]
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        from callr_mock.contract.coverage import merge

        from ._coverage import WORKER_OUTPUT_KEY

        if reports:
            workeroutput[WORKER_OUTPUT_KEY] = json.dumps(merge(reports))
        return
    from callr_mock.contract.coverage import merge

    from ._coverage import write

    result = merge(reports) if reports else None
    lines: list[str] = []
    if result is None:
        lines.append("no test used callr-mock: nothing to report")
    else:
        lines += write(result, options.reports)
    percent = result["summary"]["percent"] if result else 0.0
    if options.fail_under is not None and percent < options.fail_under:
        lines.append(
            f"FAIL: callr-mock operation coverage {percent}% is below "
            f"--callr-mock-cov-fail-under {options.fail_under:g}%"
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    config.stash[COV_RESULT_KEY] = (result, lines)


def _coverage_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = config.stash.get(COV_RESULT_KEY, None)
    if found is None:
        return
    from callr_mock.contract.coverage import summary_lines

    result, lines = found
    options = config.stash[COV_OPTIONS_KEY]
    terminalreporter.write_sep("-", "callr-mock coverage")
    if result is not None and any(kind == "term" for kind, _ in options.reports):
        for line in summary_lines(result):
            terminalreporter.write_line(line)
    for line in lines:
        terminalreporter.write_line(line)
