"""The `mockllm` command: serve, check, list."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Sequence

from aiohttp import web

from mockllm.scenarios.catalog import Catalog, check_default, load_catalog
from mockllm.server.config import DEFAULT_SCENARIOS, ServerConfig
from mockllm.ops.logs import LOG_FORMATS, setup_logging
from mockllm.ops.ready import ready_info, remove_ready_file, write_ready_file
from mockllm.scenarios.yaml_source import ProblemsError

if TYPE_CHECKING:
    from mockllm.ops.workers import Worker

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


def _log_format(value: str) -> str:
    """A log format name."""
    if value not in LOG_FORMATS:
        raise argparse.ArgumentTypeError(f"log format must be one of {', '.join(LOG_FORMATS)}; got {value!r}")
    return value


def _switch(value: str) -> bool:
    """An on/off setting from the environment: 1/true/yes/on or 0/false/no/off."""
    if value.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise argparse.ArgumentTypeError(f"expected 1/true/yes/on or 0/false/no/off; got {value!r}")
    return value.lower() in ("1", "true", "yes", "on")


def _max_stream_s(value: str) -> float:
    """The maximum stream duration: seconds, more than 0, and finite."""
    return _seconds(value, "max stream duration")


def _seconds(value: str, what: str = "a time limit") -> float:
    """A time limit: seconds, more than 0, and finite."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{what} must be a number of seconds > 0; got {value!r}")
    return seconds


def _workers(value: str) -> int:
    """A number of worker processes: 1 or more."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"workers must be a whole number >= 1; got {value!r}")
    return int(value)


def _count(value: str) -> int:
    """A whole number >= 0."""
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0; got {value!r}")
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
    "--read-timeout": ("read_timeout_s", _seconds, "seconds a request body may take to arrive after its headers (then 408 and close)"),
    "--idle-timeout": ("idle_timeout_s", _seconds, "close a connection idle this many seconds between requests"),
    "--max-connections": ("max_connections", _count, "open connections served at once (more get 503); 0 = the fd limit less a reserve"),
    "--admin-token": ("admin_token", str, "token the /_mock/ control routes require (generated off loopback)"),
    "--admin-open": ("admin_open", _switch, "serve /_mock/ control routes without a token even off loopback"),
    "--ready-file": ("ready_file", Path, "once listening, write url, port, pid and scenarios to this file as JSON"),
    "--log-format": ("log_format", _log_format, "text, or json: a JSON start line on stdout and JSON log lines"),
    "--workers": ("workers", _workers, "server processes sharing the port (SO_REUSEPORT); state that needs one process is refused"),
    "--watch": ("watch", _switch, "reload when a scenario file changes (`--watch off` to stop; default: on for your own folder in a terminal)"),
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
    check = commands.add_parser("check", help="validate a scenarios folder (or one file); exit 1 listing each problem")
    check.add_argument("folder", type=Path, nargs="?", default=None, help="a folder, or one scenario file")
    check.add_argument("--default", dest="default", default=argparse.SUPPRESS, help="the default scenario serve will use ($MOCKLLM_DEFAULT)")
    check.set_defaults(run=_check)
    record = commands.add_parser("record", help="proxy a model API (OpenAI, Anthropic, Gemini, Ollama routes) and write what it answers as scenarios")
    record.add_argument("--upstream", required=True, help="the API to forward to, e.g. https://api.openai.com")
    record.add_argument("--out", type=Path, required=True, help="folder to write one scenario file per conversation into")
    for flag in ("--host", "--port", "--ready-file", "--log-format"):
        name, convert, help_text = SERVE_FLAGS[flag]
        record.add_argument(flag, dest=name, type=convert, default=argparse.SUPPRESS, help=help_text)
    record.set_defaults(run=_record)
    listing = commands.add_parser("list", help="print the scenarios with their descriptions")
    listing.add_argument("folder", type=Path, nargs="?", default=None)
    listing.set_defaults(run=_list)
    return parser


def _add_serve_flags(parser: argparse.ArgumentParser) -> None:
    for flag, (name, convert, help_text) in SERVE_FLAGS.items():
        env = ENV_PREFIX + name.upper()
        switch: dict[str, Any] = {"nargs": "?", "const": True, "metavar": "on|off"} if convert is _switch else {}
        parser.add_argument(flag, dest=name, type=convert, default=argparse.SUPPRESS, help=f"{help_text} (${env})", **switch)


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
    """Validate a folder as `serve` would (its default scenario included), or one file on its own."""
    config = config_from(args)
    path = args.folder or config.scenarios
    catalog = load_catalog(path)
    if not path.is_file():
        check_default(catalog, config.default)
    print(f"ok: {len(catalog.scenarios)} scenarios in {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.folder or ServerConfig().scenarios)
    width = max(map(len, catalog.names), default=0)
    try:
        for name in catalog.names:
            print(f"{name:<{width}}  {catalog.scenarios[name].description.strip().splitlines()[0]}", flush=True)
    except BrokenPipeError:  # `mockllm list | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _serve(args: argparse.Namespace) -> int:
    config = config_from(args)
    catalog = load_catalog(config.scenarios)
    check_default(catalog, config.default)
    setup_logging(config.log_format)
    if config.workers > 1:
        from mockllm.ops import workers

        return workers.run(config, catalog)
    return _listening(config, serve(config, catalog))


def _listening(config: ServerConfig, run: Coroutine[Any, Any, None]) -> int:
    """Run a server until it stops; exit code 1 with the reason when it cannot listen."""
    try:
        asyncio.run(run)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror or str(exc)
        print(f"mockllm: cannot listen on {config.host}:{config.port}: {reason}", file=sys.stderr)
        return 1
    return 0


def _record(args: argparse.Namespace) -> int:
    """Serve the recording proxy until SIGINT or SIGTERM."""
    from mockllm.record import create_recorder

    config = config_from(args)
    setup_logging(config.log_format)

    def announce(port: int) -> None:
        info = ready_info(config, port, [])
        if config.log_format == "json":
            print(json.dumps({"event": "recording", **info, "upstream": args.upstream, "out": str(args.out)}), flush=True)
        else:
            print(
                f"mockllm recording {args.upstream} into {args.out}\n"
                f"  base URL: {info['url']}/v1 (OpenAI SDKs), {info['url']} (Anthropic, Gemini, Ollama clients)\n"
                f"  replay: mockllm serve --scenarios {args.out}",
                flush=True,
            )
        if config.ready_file:
            write_ready_file(config.ready_file, info)

    return _listening(config, run_app(create_recorder(args.upstream, args.out), config, announce))


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
    from mockllm.server.app import create_app
    from mockllm.server.exchange import STATE

    app = create_app(config, catalog)
    if watching(config):
        from mockllm.ops.watch import add_watcher

        add_watcher(app)
    if worker is not None:
        from mockllm.ops.workers import WORKER, one_process_only, publishing

        app[WORKER] = worker
        app.middlewares.append(one_process_only)
        app.cleanup_ctx.append(publishing)
    served = app[STATE].config  # with the admin token create_app made, if any
    announce = (lambda port: worker.listening()) if worker is not None else (lambda port: _announce(served, port, catalog))
    await run_app(app, served, announce=announce, reuse_port=worker is not None)


async def run_app(app: web.Application, config: ServerConfig, announce: Callable[[int], None], reuse_port: bool = False) -> None:
    """Listen on the configured address (at most the connection cap at once), `announce` the port, serve until SIGINT or SIGTERM."""
    from mockllm.server.limits import connection_cap, listen, raise_fd_limit

    cap = connection_cap(config.max_connections, raise_fd_limit())
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=2, keepalive_timeout=config.idle_timeout_s)
    await runner.setup()
    try:
        server = await listen(runner, config.host, config.port, backlog=config.backlog, cap=cap, reuse_port=reuse_port)
    except OSError:
        await runner.cleanup()
        raise
    _settle_memory()
    announce(server.sockets[0].getsockname()[1])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if reuse_port:
            pass  # a worker: the parent says it
        elif config.log_format == "json":
            logging.getLogger("mockllm").info("shutting down")
        else:
            print("mockllm: shutting down", flush=True)
        if config.ready_file:
            remove_ready_file(config.ready_file)
        server.close()
        await runner.cleanup()


def _announce(config: ServerConfig, port: int, catalog: Catalog) -> None:
    """Write the ready file, then print the banner (or the JSON start line): whoever reads either finds both."""
    from mockllm.ops.banner import banner, try_scenario

    info = ready_info(config, port, catalog.names)
    if config.ready_file:
        write_ready_file(config.ready_file, info)
    if config.log_format == "json":
        print(json.dumps({"event": "listening", **info, "watch": watching(config)}, ensure_ascii=False), flush=True)
    else:
        print(banner(config, port, len(catalog.scenarios), try_scenario(catalog.names, config.default)), flush=True)
        if watching(config):
            print(f"  watching {config.scenarios} for changes (--watch off to stop)", flush=True)


def watching(config: ServerConfig) -> bool:
    """Whether to reload on file changes: as configured, else when serving your own folder in a terminal."""
    if config.watch is not None:
        return config.watch
    return sys.stdout.isatty() and Path(config.scenarios).resolve() != DEFAULT_SCENARIOS
