"""The `mockllm` command: serve, check, list, record, why."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Sequence

from mockllm.ops.logs import LOG_FORMATS, setup_logging
from mockllm.ops.ready import ready_info, write_ready_file
from mockllm.scenarios.catalog import scenario_count
from mockllm.server.config import ServerConfig

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


def _upstreams(value: str) -> tuple[str, ...]:
    """`URL`, or `PROVIDER=URL` entries separated by commas (checked, so a typo stops the start)."""
    from mockllm.server.upstream import parse_upstreams

    try:
        parse_upstreams((value,))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return (value,)


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
    "--upstream": ("upstream", _upstreams, "forward what no scenario names or matches to this API (or PROVIDER=URL,…) and record it"),
    "--record-to": ("record_to", Path, "folder forwarded answers are recorded in (default: recorded/ in the scenarios folder)"),
    "--watch": ("watch", _switch, "reload when a scenario file changes (`--watch off` to stop; default: on for your own folder in a terminal)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    The garbage collector is off while the command imports its modules and
    reads the scenarios (a server turns it back on once listening): start-up
    builds many objects and no cycles worth collecting, and the collections
    cost about a sixth of the time to the first answer.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(_parser().parse_args(argv))
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    from mockllm.scenarios.problems import ProblemsError

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
    record.add_argument("--upstream", dest="forward_to", required=True, help="the API to forward to, e.g. https://api.openai.com")
    record.add_argument("--out", type=Path, required=True, help="folder to write one scenario file per conversation into")
    for flag in ("--host", "--port", "--ready-file", "--log-format"):
        name, convert, help_text = SERVE_FLAGS[flag]
        record.add_argument(flag, dest=name, type=convert, default=argparse.SUPPRESS, help=help_text)
    record.set_defaults(run=_record)
    why = commands.add_parser("why", help="print which scenario a request would get and why, without a server")
    why.add_argument("--path", required=True, help="the route and query, as the client calls it: /v1/chat/completions")
    why.add_argument("--body", default="", help="the JSON body, or @file.json")
    why.add_argument("--header", action="append", default=[], metavar="NAME:VALUE", help="a request header (repeatable)")
    why.add_argument("--method", default="POST", help="the HTTP method (default POST)")
    why.add_argument("--json", action="store_true", help="print the trace as the journal keeps it")
    for flag in ("--scenarios", "--default"):
        name, convert, help_text = SERVE_FLAGS[flag]
        why.add_argument(flag, dest=name, type=convert, default=argparse.SUPPRESS, help=help_text)
    why.set_defaults(run=_why)
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
    from mockllm.scenarios.loading import check_default, load_catalog

    config = config_from(args)
    path = args.folder or config.scenarios
    catalog = load_catalog(path)
    if not path.is_file():
        check_default(catalog, config.default)
    print(f"ok: {scenario_count(len(catalog.scenarios))} in {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from mockllm.scenarios.loading import load_catalog

    catalog = load_catalog(args.folder or ServerConfig().scenarios)
    width = max(map(len, catalog.names), default=0)
    try:
        for name in catalog.names:
            print(f"{name:<{width}}  {catalog.scenarios[name].description.strip().splitlines()[0]}", flush=True)
    except BrokenPipeError:  # `mockllm list | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _why(args: argparse.Namespace) -> int:
    from mockllm.server.why import why_command

    config = config_from(args)
    return why_command(config.scenarios, config.default, args.method, args.path, args.body, args.header, args.json)


def _serve(args: argparse.Namespace) -> int:
    from mockllm.ops.serve import run_until_stopped, serve
    from mockllm.scenarios.loading import check_default, load_catalog

    config = config_from(args)
    catalog = load_catalog(config.scenarios)
    check_default(catalog, config.default)
    setup_logging(config.log_format)
    if config.workers > 1:
        from mockllm.ops import workers

        return workers.run(config, catalog, serve)
    return run_until_stopped(config, serve(config, catalog))


def _record(args: argparse.Namespace) -> int:
    """Serve the recording proxy until SIGINT or SIGTERM."""
    from mockllm.ops.serve import run_app, run_until_stopped
    from mockllm.record import create_recorder

    config = config_from(args)
    setup_logging(config.log_format)

    def announce(port: int) -> None:
        info = ready_info(config, port, [])
        if config.log_format == "json":
            print(json.dumps({"event": "recording", **info, "upstream": args.forward_to, "out": str(args.out)}), flush=True)
        else:
            print(
                f"mockllm recording {args.forward_to} into {args.out}\n"
                f"  base URL: {info['url']}/v1 (OpenAI SDKs), {info['url']} (Anthropic, Gemini, Ollama clients)\n"
                f"  replay: mockllm serve --scenarios {args.out}",
                flush=True,
            )
        if config.ready_file:
            write_ready_file(config.ready_file, info)

    return run_until_stopped(config, run_app(create_recorder(args.forward_to, args.out), config, announce))


