"""Serve the playground page and its files from the package (no CDN, no build step), and send `/` there."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from mockllm.scenarios.routes_map import find_route
from mockllm.server.framing_routes import serve_app_route
from mockllm.server.state import STATE

#: The page's files; `mockllm-client.js` is the mini-program reference client itself (a link to it in the source tree).
STATIC = Path(__file__).resolve().parent / "static"
PAGE = "/_mock/ui/"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}


async def index(request: web.Request) -> web.StreamResponse:
    """The page."""
    return _file("index.html")


async def asset(request: web.Request) -> web.StreamResponse:
    """One of the page's files; 404 for any other name."""
    return _file(request.match_info["name"])


async def to_page(request: web.Request) -> web.StreamResponse:
    """Redirect to the page."""
    raise web.HTTPFound(PAGE)


async def root(request: web.Request) -> web.StreamResponse:
    """`/`: the app route when a routes map claims it, else a redirect to the page."""
    if find_route(request.app[STATE].catalog, "/") is not None:
        return await serve_app_route(request)
    raise web.HTTPFound(PAGE)


def _file(name: str) -> web.StreamResponse:
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": _TYPES[path.suffix], "Cache-Control": "no-cache"})


def add_routes(app: web.Application) -> None:
    """Register the page routes."""
    app.router.add_get("/", root)
    app.router.add_get("/_mock", to_page)
    app.router.add_get("/_mock/", to_page)
    app.router.add_get("/_mock/ui", to_page)
    app.router.add_get(PAGE, index)
    app.router.add_get(PAGE + "{name}", asset)
