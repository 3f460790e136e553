"""The playground: a page served by the server itself, and the live feed of the journal it shows."""

from __future__ import annotations

from aiohttp import web

from mockllm.server.ui import live, page


def add_routes(app: web.Application) -> None:
    """Register the page, its files and the live feed; call it before the app catch-all."""
    page.add_routes(app)
    live.add_routes(app)
