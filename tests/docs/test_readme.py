"""The README is a short introduction whose links all lead somewhere, and its test command is the one CI runs."""

from __future__ import annotations

import re

from conftest import REPO

README = REPO / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def local_targets(text: str) -> list[str]:
    """The README's links to files of the repository (not web addresses), without their #fragment."""
    return [target.split("#", 1)[0] for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]


def test_the_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250


def test_every_readme_link_leads_to_a_file() -> None:
    targets = local_targets(README.read_text(encoding="utf-8"))
    assert len(targets) > 20
    assert [t for t in targets if not (REPO / t).is_file()] == []


def test_every_docs_page_the_readme_names_is_in_the_site_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [t.removeprefix("docs/") for t in local_targets(README.read_text(encoding="utf-8")) if t.startswith("docs/") and t.endswith(".md")]
    assert [p for p in pages if f": {p}\n" not in nav and p != "index.md"] == []
