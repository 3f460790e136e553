"""The `mockllm` pytest fixture: one server per test run (per xdist worker), one mockllm session per test.

Installed with the package (the `pytest11` entry point `mockllm`); it adds
fixtures and settings only, never an autouse fixture, and imports the server
only when a test asks for it. Turn it off with `-p no:mockllm`.

The server runs in-process, in a thread with its own event loop: starting it
costs milliseconds (the code is already imported), there is no port or
process to clean up if the run is killed, and its errors land in the same
output. Set `MOCKLLM_URL` to use a server started elsewhere instead (a CI
service, or one server shared by every xdist worker); when that server needs
an admin token (off loopback, or started with `--admin-token`), give it with
`MOCKLLM_ADMIN_TOKEN` or `--mockllm-admin-token`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:
    from mockllm.testing.background import BackgroundServer

SESSION_HEADER = "X-Mock-Session"
#: The variable the server and this plugin read the admin token from.
ADMIN_TOKEN_ENV = "MOCKLLM_ADMIN_TOKEN"
#: A hang guard for admin calls; each takes milliseconds.
ADMIN_TIMEOUT_S = 30


class MockllmError(AssertionError):
    """The server refused what a test asked (a scenario with problems, a bad query); carries its answer."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The settings: `mockllm_scenarios`, `mockllm_speed`, `mockllm_seed` (ini), `--mockllm-scenarios`, `--mockllm-admin-token`."""
    parser.addini("mockllm_scenarios", "folder of scenario files the mockllm fixture serves (default: the shipped ones)", default="")
    parser.addini("mockllm_speed", "speed factor of the mockllm fixture's server (default 0: no waiting)", default="0")
    parser.addini("mockllm_seed", "seed of the mockllm fixture's server (default 1: the same bytes every run)", default="1")
    group = parser.getgroup("mockllm")
    group.addoption("--mockllm-scenarios", default=None, help="folder of scenario files the mockllm fixture serves")
    group.addoption(
        "--mockllm-admin-token",
        default=None,
        help=f"admin token of the server at $MOCKLLM_URL, sent as 'Authorization: Bearer' on /_mock/ calls (default: ${ADMIN_TOKEN_ENV})",
    )


class Mockllm:
    """One test's view of the server: its own session, scenarios and journal."""

    def __init__(self, url: str, session: str, admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.admin_token = admin_token or None
        self._clients: list[Any] = []

    @property
    def server_url(self) -> str:
        """The server's root URL with no session in it, e.g. `http://127.0.0.1:PORT`."""
        return self.url

    @property
    def base_url(self) -> str:
        """This test's root URL, `http://127.0.0.1:PORT/s/{session}`: every route answers under it as this test's.

        App framings live at `/{framing}/…` under it, Anthropic at `/v1/messages`,
        and so on; a client given only this URL sends no header and is still isolated.
        """
        return f"{self.url}/s/{self.session}"

    @property
    def openai_base_url(self) -> str:
        """The `base_url` for an OpenAI SDK, with this test's session in it: `http://127.0.0.1:PORT/s/{session}/v1`."""
        return f"{self.base_url}/v1"

    @property
    def headers(self) -> dict[str, str]:
        """The header every request of this test sends, so it sees this test's scenarios and lands in its journal."""
        return {SESSION_HEADER: self.session}

    def openai_client(self, **options: Any) -> Any:
        """An `openai.OpenAI` client for this test (base URL, a dummy key, the session header); closed after the test."""
        import openai

        client = openai.OpenAI(**self._openai_options(options))
        self._clients.append(client)
        return client

    def async_openai_client(self, **options: Any) -> Any:
        """An `openai.AsyncOpenAI` client for this test."""
        import openai

        return openai.AsyncOpenAI(**self._openai_options(options))

    def _openai_options(self, options: dict[str, Any]) -> dict[str, Any]:
        headers = {**options.pop("default_headers", {}), **self.headers}
        return {"base_url": self.openai_base_url, "api_key": "mockllm", "default_headers": headers, **options}

    def scenario(self, document: dict[str, Any] | str | None = None, /, **fields: Any) -> str:
        """Post a scenario for this test only; return its name.

        A dict (or keyword fields) gets `schema: 1`, a description and the name
        `default` when it has none, so `mockllm.scenarios.scenario(steps=[{"say": "hi"}])`
        becomes this test's answer to every request. A string is posted as it
        is (YAML or JSON, several `---` documents allowed). Problems raise
        MockllmError listing them.
        """
        if isinstance(document, str):
            answer = self._admin("POST", "/_mock/scenarios", body=document.encode("utf-8"))
            return str(answer["added"][0]) if len(answer["added"]) == 1 else ", ".join(answer["added"])
        doc = {"schema": 1, "name": "default", "description": f"posted by {self.session}", **(document or {}), **fields}
        self._admin("POST", "/_mock/scenarios", body=json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        return str(doc["name"])

    def remove_scenario(self, name: str) -> None:
        """Remove one of this test's posted scenarios."""
        self._admin("DELETE", f"/_mock/scenarios/{urllib.parse.quote(name)}")

    def journal(self, *, path: str | None = None, scenario: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """This test's requests so far, oldest first (method, path, headers, body, scenario, status, how it ended …)."""
        return self._admin("GET", "/_mock/journal", path=path, scenario=scenario, since=since)  # type: ignore[no-any-return]

    def wait_for_request(
        self, *, path: str | None = None, scenario: str | None = None, since: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first finished request of this test that matches, waiting up to `timeout` seconds for it (no polling)."""
        found = self._admin("GET", "/_mock/journal", path=path, scenario=scenario, since=since, wait=timeout)
        if not found:
            wanted = ", ".join(f"{k}={v!r}" for k, v in (("path", path), ("scenario", scenario)) if v) or "any"
            seen = [f"{e['method']} {e['path']} → {e.get('scenario')} {e.get('status')}" for e in self.journal()]
            raise MockllmError(f"no request ({wanted}) finished within {timeout:g} s; this test's journal: {seen or 'empty'}")
        return found[0]  # type: ignore[no-any-return]

    async def wait_for_request_async(self, **filters: Any) -> dict[str, Any]:
        """`wait_for_request` for async tests: waits in a thread, so the test's event loop keeps running."""
        return await asyncio.to_thread(self.wait_for_request, **filters)

    def report(self, **rules: float) -> dict[str, Any]:
        """This test's client report card: a verdict (pass, warn, fail, n/a) with evidence on retries, backoff,
        abandoned streams, duplicates, resume and stalls; `rules` tune the thresholds (docs/report-card.md)."""
        return self._admin("GET", "/_mock/report", None, **rules)  # type: ignore[no-any-return]

    def assert_client_ok(self, *verdicts: str, **rules: float) -> dict[str, Any]:
        """Raise MockllmError naming each of `verdicts` (none given: all) that is warn or fail; return the report."""
        card = self.report(**rules)
        unknown = [name for name in verdicts if name not in card["verdicts"]]
        if unknown:
            raise MockllmError(f"unknown verdict {', '.join(unknown)}; valid: {', '.join(card['verdicts'])}")
        bad = [(name, v) for name, v in card["verdicts"].items() if (not verdicts or name in verdicts) and v["verdict"] in ("warn", "fail")]
        if bad:
            lines = [f"{name}: {v['verdict']}: {v['summary']} {json.dumps(v['evidence'], ensure_ascii=False)}" for name, v in bad]
            raise MockllmError(f"the client of session {self.session} misbehaved:\n" + "\n".join(lines))
        return card

    def coverage(self) -> dict[str, Any]:
        """Every business code and provider error the scenarios can send, and which of them this test's requests
        delivered and how (`codes[i]["delivered"]`: count, in_band, http_status, websocket_close); see /_mock/coverage."""
        return self._admin("GET", "/_mock/coverage")  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Forget this test's posted scenarios, journal entries and attempt counters."""
        self._admin("DELETE", "/_mock/scenarios")
        self._admin("DELETE", "/_mock/journal")
        self._admin("DELETE", f"/_mock/sessions/{urllib.parse.quote(self.session)}")

    def close(self) -> None:
        """Close the clients `openai_client` made."""
        for client in self._clients:
            client.close()
        self._clients.clear()

    def _admin(self, method: str, route: str, body: bytes | None = None, **query: Any) -> Any:
        params = {"session": self.session, **{k: v for k, v in query.items() if v is not None}}
        url = f"{self.url}{route}?{urllib.parse.urlencode(params)}"
        headers = {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S + float(query.get("wait") or 0)) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                answer = json.loads(exc.read() or b"{}")
            problems = answer.get("problems") or [answer.get("error", {}).get("message", str(answer))]
            raise MockllmError(f"mockllm refused {method} {route}:\n" + "\n".join(problems)) from None


def _setting(config: pytest.Config, name: str) -> str:
    return str(config.getoption(f"--{name.replace('_', '-')}", None) or config.getini(name) or "")


@pytest.fixture(scope="session")
def mockllm_server(pytestconfig: pytest.Config) -> Iterator[str]:
    """The URL of the server every test of this run (of this xdist worker) uses; started on first use."""
    given = os.environ.get("MOCKLLM_URL")
    if given:
        yield given.rstrip("/")
        return
    server = _start_server(pytestconfig)
    try:
        yield server.url
    finally:
        server.stop()


def _start_server(config: pytest.Config) -> BackgroundServer:
    from mockllm.server.app import create_app
    from mockllm.server.config import ServerConfig
    from mockllm.testing.background import BackgroundServer

    folder = _setting(config, "mockllm_scenarios")
    settings: dict[str, Any] = {"speed": float(_setting(config, "mockllm_speed") or 0)}
    seed = _setting(config, "mockllm_seed")
    settings["seed"] = int(seed) if seed else None
    if folder:
        settings["scenarios"] = (Path(config.rootpath) / folder).resolve()
    server_config = ServerConfig(host="127.0.0.1", port=0, **settings)
    return BackgroundServer(lambda: create_app(server_config)).start()


def _admin_token(config: pytest.Config) -> str | None:
    """The admin token to send: `--mockllm-admin-token`, else $MOCKLLM_ADMIN_TOKEN (a server without one ignores it)."""
    return config.getoption("--mockllm-admin-token", None) or os.environ.get(ADMIN_TOKEN_ENV) or None


@pytest.fixture
def mockllm(mockllm_server: str, request: pytest.FixtureRequest) -> Iterator[Mockllm]:
    """This test's mockllm: its session id, URLs, `scenario()`, `journal()`, `wait_for_request()`, `report()`; reset afterwards."""
    handle = Mockllm(mockllm_server, _session_id(request.node.name), _admin_token(request.config))
    yield handle
    handle.close()
    handle.reset()


def _session_id(test_name: str) -> str:
    """A session id no other test shares, readable in the journal: the test's name and a random tail."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", test_name).strip("-")[:48]
    return f"{readable}-{uuid.uuid4().hex[:8]}"
