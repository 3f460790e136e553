"""The `mockllm` command: serve, check, list."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from aiohttp import web

from .catalog import Catalog, check_default, load_catalog
from .config import ServerConfig
from .yamlsource import ProblemsError

if TYPE_CHECKING:
    from .workers import Worker

ENV_PREFIX = "MOCKLLM_"


def _port(value: str) -> int:
    """A TCP port number, 0 meaning any free port."""
    if not value.strip().isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"port must be a whole number 0-65535; got {value!r}")
    return int(value)


def _speed(value: str) -> float:
    """A speed factor: 0 or more, and finite."""
    try:
        speed = float(value)
    except ValueError:
        speed = -1.0
    if not 0 <= speed < float("inf"):
        raise argparse.ArgumentTypeError(f"speed must be a number >= 0 (0 = no waiting); got {value!r}")
    return speed


def _max_stream_s(value: str) -> float:
    """The maximum stream duration: seconds, more than 0, and finite."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"max stream duration must be a number of seconds > 0; got {value!r}")
    return seconds


def _workers(value: str) -> int:
    """A number of worker processes: 1 or more."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"workers must be a whole number >= 1; got {value!r}")
    return int(value)


#: flag → (config field, converter, help)
SERVE_FLAGS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "--host": ("host", str, "address to bind; 0.0.0.0 for phones on the LAN"),
    "--port": ("port", _port, "port; 0 picks a free one"),
    "--scenarios": ("scenarios", Path, "folder of scenario YAML files"),
    "--speed": ("speed", _speed, "scale every delay; 0 = no waiting (CI)"),
    "--seed": ("seed", int, "seed for every request that names none"),
    "--default": ("default", str, "scenario for requests that select none"),
    "--max-stream-s": ("max_stream_s", _max_stream_s, "end any response (a hang or trickle too) after this many seconds"),
    "--workers": ("workers", _workers, "server processes sharing the port (SO_REUSEPORT); state that needs one process is refused"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ProblemsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockllm", description="A mock LLM streaming server.")
    parser.set_defaults(run=_serve)
    _add_serve_flags(parser)
    commands = parser.add_subparsers(title="commands")
    serve = commands.add_parser("serve", help="serve the scenarios (the default command)")
    _add_serve_flags(serve)
    serve.set_defaults(run=_serve)
    check = commands.add_parser("check", help="validate scenario files; exit 1 listing each problem")
    check.add_argument("folder", type=Path, nargs="?", default=None)
    check.set_defaults(run=_check)
    listing = commands.add_parser("list", help="print the scenarios with their descriptions")
    listing.add_argument("folder", type=Path, nargs="?", default=None)
    listing.set_defaults(run=_list)
    return parser


def _add_serve_flags(parser: argparse.ArgumentParser) -> None:
    for flag, (name, convert, help_text) in SERVE_FLAGS.items():
        env = ENV_PREFIX + name.upper()
        parser.add_argument(flag, dest=name, type=convert, default=argparse.SUPPRESS, help=f"{help_text} (${env})")


def config_from(args: argparse.Namespace, environ: dict[str, str] | None = None) -> ServerConfig:
    """Build the config: flags first, then `MOCKLLM_*` variables, then defaults."""
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    for flag, (name, convert, _) in SERVE_FLAGS.items():
        env = ENV_PREFIX + name.upper()
        if hasattr(args, name):
            values[name] = getattr(args, name)
        elif environ.get(env):
            try:
                values[name] = convert(environ[env])
            except (ValueError, argparse.ArgumentTypeError) as exc:
                reason = f": {exc}" if isinstance(exc, argparse.ArgumentTypeError) else ""
                raise SystemExit(f"mockllm: ${env}={environ[env]!r} is not valid for {flag}{reason}") from None
    known = {f.name for f in fields(ServerConfig)}
    return ServerConfig(**{k: v for k, v in values.items() if k in known})


def _check(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.folder or ServerConfig().scenarios)
    print(f"ok: {len(catalog.scenarios)} scenarios in {catalog.folder}")
    return 0


def _list(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.folder or ServerConfig().scenarios)
    width = max(map(len, catalog.names), default=0)
    for name in catalog.names:
        print(f"{name:<{width}}  {catalog.scenarios[name].description.strip().splitlines()[0]}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    config = config_from(args)
    catalog = load_catalog(config.scenarios)
    check_default(catalog, config.default)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    try:
        if config.workers > 1:
            from . import workers

            return workers.run(config, catalog)
        asyncio.run(serve(config, catalog))
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror or str(exc)
        print(f"mockllm: cannot listen on {config.host}:{config.port}: {reason}", file=sys.stderr)
        return 1
    return 0


def _settle_memory() -> None:
    """Keep the garbage collector off what start-up built, and collect the young less often.

    Streaming allocates many short-lived objects; with the defaults a full
    collection of every scenario and module object ran every few thousand
    deltas (about a fifth of the CPU under load).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


async def serve(config: ServerConfig, catalog: Catalog, worker: Worker | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then close open streams and stop; as one of several `worker`s when given."""
    from .app import create_app
    from .banner import banner

    app = create_app(config, catalog)
    if worker is not None:
        from .workers import WORKER, one_process_only, publishing

        app[WORKER] = worker
        app.middlewares.append(one_process_only)
        app.cleanup_ctx.append(publishing)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=2)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, backlog=config.backlog, reuse_address=True, reuse_port=worker is not None)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    _settle_memory()
    if worker is None:
        print(banner(config, runner.addresses[0][1], len(catalog.scenarios)), flush=True)
    else:
        worker.listening()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if worker is None:
            print("mockllm: shutting down", flush=True)
        await runner.cleanup()
