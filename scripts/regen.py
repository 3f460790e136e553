"""Regenerate the golden files of every dialect and framing, and the generated tables (run it on purpose, then review the diff).

    python scripts/regen.py            # every golden file, then the tables
    python scripts/regen.py golden     # only the golden byte files (no network, no server process)
    python scripts/regen.py tables     # only the failure, provider-error and torture-render tables (start a live server)

Each generator is also a script of its own (`python scripts/regen_golden.py hello` rewrites one scenario's files).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Callable

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

import regen_anthropic_golden  # noqa: E402
import regen_app_golden  # noqa: E402
import regen_dialect_golden  # noqa: E402
import regen_failure_table  # noqa: E402
import regen_golden  # noqa: E402
import regen_openai_routes_golden  # noqa: E402
import regen_provider_errors  # noqa: E402
import regen_responses_golden  # noqa: E402
import torture_table  # noqa: E402

#: The golden generators, one per family of routes, in the order they run.
GOLDEN: dict[str, Callable[[], object]] = {
    "openai-chat": lambda: regen_golden.main([]),
    "openai-routes": lambda: regen_openai_routes_golden.main([]),
    "openai-responses": regen_responses_golden.main,
    "anthropic": lambda: asyncio.run(regen_anthropic_golden.regenerate()),
    "gemini-ollama": lambda: asyncio.run(regen_dialect_golden.regenerate()),
    "app-framings": lambda: asyncio.run(regen_app_golden.regenerate()),
}
#: The generated tables.
TABLES: dict[str, Callable[[], object]] = {
    "failures": regen_failure_table.main,
    "provider-errors": regen_provider_errors.main,
    "torture-renders": torture_table.main,
}


def main(argv: list[str]) -> int:
    """Run the generators `argv` asks for (`golden`, `tables`, or both when empty)."""
    wanted = set(argv) or {"golden", "tables"}
    unknown = wanted - {"golden", "tables"}
    if unknown:
        print(f"unknown group {', '.join(sorted(unknown))}; valid: golden, tables", file=sys.stderr)
        return 2
    for group, generators in (("golden", GOLDEN), ("tables", TABLES)):
        if group in wanted:
            for name, generate in generators.items():
                print(f"regenerating {group}: {name}", flush=True)
                generate()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
