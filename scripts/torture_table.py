"""Rewrite the glitch table of docs/torture-scenarios.md from the renderer harness (run it on purpose, review the diff).

    python scripts/torture_table.py

Serves the shipped scenarios at speed 0, runs tests/browser/render_torture.mjs
over every md-* scenario and the `hello` control, and writes what each
renderer showed between the table markers of the page. The per-renderer
render times (machine-dependent, so not in the page) go to stdout.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from mockllm.scenarios.catalog import SHIPPED
from mockllm.scenarios.loading import load_catalog
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.testing.background import BackgroundServer

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = SHIPPED
HARNESS = ROOT / "tests" / "browser" / "render_torture.mjs"
PAGE = ROOT / "docs" / "torture-scenarios.md"
CONTROL = "hello"
KINDS = ("rewrite", "literal", "block", "grapheme")
START, END = "<!-- torture-table:start -->", "<!-- torture-table:end -->"


def torture_names() -> list[str]:
    """The shipped torture scenarios, in name order."""
    return sorted(name for name in load_catalog(SCENARIOS).scenarios if name.startswith("md-"))


def run_harness(url: str, names: list[str], renderers: list[str] | None = None) -> dict[str, Any]:
    """What render_torture.mjs reports for `names` served at `url`, with `renderers` (default: all of them)."""
    payload = {"baseURL": url, "scenarios": names, "renderers": renderers}
    done = subprocess.run(["node", str(HARNESS)], input=json.dumps(payload), capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"render_torture.mjs failed:\n{done.stderr}")
    return json.loads(done.stdout)


def harness_results(names: list[str], renderers: list[str] | None = None) -> dict[str, Any]:
    """Serve the shipped scenarios at speed 0 and run the harness over `names`."""
    server = BackgroundServer(lambda: create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1))).start()
    try:
        return run_harness(server.url, names, renderers)
    finally:
        server.stop()


def _cell(glitch: dict[str, Any] | None) -> str:
    return f"{glitch['count']}" if glitch else "·"


def _tail(text: str) -> str:
    shown = json.dumps(text, ensure_ascii=False)[1:-1].replace("|", "\\|")
    return f"`` …{shown} ``"


def table(results: dict[str, Any]) -> str:
    """The page's generated part: glitch counts per scenario and renderer, then each kind's first occurrence."""
    lines = [
        "| scenario | deltas | renderer | rewrite | literal | block | grapheme | leftover markup in the final render |",
        "|---|--:|---|--:|--:|--:|--:|---|",
    ]
    firsts = []
    for name, found in results.items():
        for renderer, seen in found["renderers"].items():
            counts = " | ".join(_cell(seen["glitches"].get(kind)) for kind in KINDS)
            leftover = ", ".join(f"`{mark}`" for mark in seen["leftover"]) or "·"
            lines.append(f"| `{name}` | {found['deltas']} | {renderer} | {counts} | {leftover} |")
        for kind in KINDS:
            shown_by = [r for r, seen in found["renderers"].items() if kind in seen["glitches"]]
            if shown_by:
                first = found["renderers"][shown_by[0]]["glitches"][kind]["first"]
                firsts.append(f"| `{name}` | {kind} | {first['delta'] + 1} | {_tail(first['tail'])} | {', '.join(shown_by)} |")
    lines += ["", "Where each kind first shows (the text received so far ends with the tail):", ""]
    lines += ["| scenario | glitch | after delta | text tail | renderers |", "|---|---|--:|---|---|", *firsts]
    return "\n".join(lines)


def write_page(results: dict[str, Any], page: Path = PAGE) -> None:
    """Put the table between the markers of the page."""
    text = page.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    page.write_text(pattern.sub(lambda _: f"{START}\n{table(results)}\n{END}", text), encoding="utf-8")


def main() -> None:
    results = harness_results([*torture_names(), CONTROL])
    write_page(results)
    for name, found in results.items():
        times = ", ".join(f"{r} {seen['renderMs']} ms" for r, seen in found["renderers"].items())
        print(f"{name}: {found['deltas']} deltas, {found['chars']} characters; rendering after every delta took {times}")


if __name__ == "__main__":
    main()
