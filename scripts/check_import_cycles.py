"""Fail when modules of the package import each other in a cycle, counting imports inside functions and under TYPE_CHECKING.

The layer contracts (`lint-imports`) keep imports pointing down between layers; this keeps each layer free of
cycles too. Usage: `python scripts/check_import_cycles.py [package]`; exit 1 listing each cycle.
"""

from __future__ import annotations

import sys

import grimp


def cycles(package: str) -> list[list[str]]:
    """The strongly connected groups of two or more modules in the package's import graph (Tarjan's algorithm)."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for module in edges:
        if module not in index:
            visit(module)
    return found


def main() -> int:
    """Print each cycle; exit 1 when there is one."""
    package = sys.argv[1] if len(sys.argv) > 1 else "mockllm"
    found = cycles(package)
    for group in found:
        print("import cycle: " + " <-> ".join(group))
    print(f"{len(found)} import cycles in {package}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
