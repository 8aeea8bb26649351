"""The ``callr-mock`` command: ``serve`` the sandbox, ``proxy`` the real API (drift report),
``drift`` of a recording, ``spec-stats`` of the contract."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from callr_mock.settings import Settings


def _account(text: str) -> tuple[str, str]:
    sid, colon, key = text.partition(":")
    if not colon or not sid or not key:
        raise argparse.ArgumentTypeError("use ACCOUNT_SID:KEY")
    from callr_mock.formats import is_sid

    if not is_sid(sid):
        raise argparse.ArgumentTypeError(f"account sid {sid!r} must be 8 lowercase letters/digits")
    return sid, key


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callr-mock", description="Callr REST API v2 sandbox")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox (waitress, threaded)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=4010, help="port, 0 = any free port (default 4010)"
    )
    serve.add_argument("--spec", dest="spec_path", help="OpenAPI file to serve instead of ours")
    serve.add_argument("--seed", dest="seed_path", help="seed set name (demo, empty) or file")
    serve.add_argument("--account", action="append", type=_account, default=[], metavar="SID:KEY")
    serve.add_argument("--clock", choices=("real", "frozen"), default="real")
    serve.add_argument(
        "--lenient",
        action="store_true",
        help="record response violations without turning them into 500s",
    )
    serve.add_argument("--id-seed", type=int, help="seed the sid generator for repeatable runs")
    serve.add_argument("--threads", type=int, default=8)
    proxy = commands.add_parser(
        "proxy",
        help="forward to the real API unchanged and report where it disagrees with the spec",
    )
    proxy.add_argument(
        "--upstream", required=True, help="the real API's base URL, e.g. https://api.callr.com/v2.0"
    )
    proxy.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    proxy.add_argument(
        "--port", type=int, default=4010, help="port, 0 = any free port (default 4010)"
    )
    proxy.add_argument(
        "--spec", dest="spec_path", help="OpenAPI file to check against (default: ours)"
    )
    proxy.add_argument(
        "--record", dest="record_dir", metavar="DIR", help="write each exchange (redacted) to DIR"
    )
    proxy.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for the upstream (default 30)"
    )
    proxy.add_argument("--threads", type=int, default=8)
    drift = commands.add_parser(
        "drift", help="the drift report of a proxy recording (--record DIR)"
    )
    drift.add_argument("directory", metavar="DIR", help="a directory written by proxy --record")
    drift.add_argument(
        "--spec", dest="spec_path", help="OpenAPI file to check against (default: ours)"
    )
    drift.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    stats = commands.add_parser("spec-stats", help="count confirmed vs inferred parts of a spec")
    stats.add_argument("spec", nargs="?", help="spec file (default: the packaged one)")
    rosetta = commands.add_parser("rosetta", help="REST v2 equivalent of a legacy JSON-RPC method")
    rosetta.add_argument("method", nargs="?", help="e.g. sms.send (omit to list all)")
    return parser


def _print_ready(server: object) -> None:
    from callr_mock.server import MockServer

    assert isinstance(server, MockServer)
    rt = server.runtime
    print(f"callr-mock {rt.contract.title} on {server.url}/v2.0", flush=True)
    print(f"  control API: {server.url}/_mock/health   clock: {rt.store.clock.mode}", flush=True)
    print(f"  legacy JSON-RPC: {server.url}/json-rpc/v1.1/", flush=True)
    for sid, key in server.settings.initial_accounts():
        print(f"  account {sid}  x-api-key: {key}   (Basic {sid}:{key})", flush=True)
    print(
        f"  try: curl -H 'x-api-key: {server.settings.initial_accounts()[0][1]}' {server.url}/v2.0/ping",
        flush=True,
    )
    if rt.unhandled:
        print(
            f"  {len(rt.unhandled)} operation(s) answer from the spec only: {', '.join(sorted(rt.unhandled))}",
            flush=True,
        )


def serve(args: argparse.Namespace) -> int:
    from callr_mock.server import MockServer

    settings = Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec_path,
        seed_path=args.seed_path,
        accounts=list(args.account),
        clock=args.clock,
        strict=not args.lenient,
        id_seed=args.id_seed,
        threads=args.threads,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    MockServer(settings).serve_forever(on_ready=_print_ready)
    print("callr-mock stopped", flush=True)
    return 0


def proxy(args: argparse.Namespace) -> int:
    from callr_mock.proxy.app import ProxySettings
    from callr_mock.proxy.server import ProxyServer

    settings = Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec_path,
        threads=args.threads,
        max_body_bytes=64 << 20,
    )
    try:
        server = ProxyServer(
            ProxySettings(args.upstream, record_dir=args.record_dir, timeout=args.timeout),
            settings,
        )
    except (ValueError, OSError) as error:
        print(f"callr-mock proxy: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    def ready(running: object) -> None:
        print(f"callr-mock proxy on {server.url}/v2.0 -> {args.upstream}", flush=True)
        print(f"  checking against {server.proxy.contract.title}", flush=True)
        print(f"  drift report: {server.url}/_mock/drift", flush=True)
        if args.record_dir:
            print(f"  recording exchanges (redacted) to {args.record_dir}", flush=True)

    server.serve_forever(on_ready=ready)
    print(server.proxy.summary(), end="", flush=True)
    print("callr-mock proxy stopped", flush=True)
    return 0


def drift(args: argparse.Namespace) -> int:
    from callr_mock.contract import contract_for
    from callr_mock.proxy.drift import DriftReport, render
    from callr_mock.proxy.recording import RecordingError, read_recording

    try:
        exchanges = read_recording(args.directory)
        report = DriftReport(contract_for(args.spec_path))
    except (RecordingError, ValueError, OSError) as error:
        print(f"callr-mock drift: {error}", file=sys.stderr)
        return 2
    for exchange in exchanges:
        report.add(exchange)
    print(render(report.to_json(), args.format), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "proxy":
        return proxy(args)
    if args.command == "drift":
        return drift(args)
    if args.command == "spec-stats":
        from callr_mock import provenance

        return int(provenance.main([args.spec] if args.spec else []) or 0)
    if args.command == "rosetta":
        from callr_mock import rosetta as rosetta_module

        return int(rosetta_module.main([args.method] if args.method else []) or 0)
    return 2


if __name__ == "__main__":
    sys.exit(main())
