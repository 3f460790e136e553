"""The playground's server side: the page and its files, `/` sending there, the live feed, what the page reads
(`/_mock/scenarios`, `/_mock/dialects`), and the console lines a presenter reads."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import REPO

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE
from mockllm.server.ui.page import STATIC

Client = TestClient[Any, Any]
FOLDER = """\
schema: 1
name: default
description: d
steps: [{say: 你好}]
---
schema: 1
name: bound
description: served on /root-chat
wire: {split_utf8: every}
faults: [{fault: reset, after_deltas: 2}]
steps: [{say: 好的}]
---
schema: 1
kind: framing
name: shop
extends: miniprogram
---
schema: 1
kind: routes
routes:
  /root-chat: {framing: shop, scenario: bound}
"""


@pytest.fixture
async def client(aiohttp_client: Any, base_config: ServerConfig) -> Client:
    return await aiohttp_client(create_app(base_config))


@pytest.fixture
async def folder_client(aiohttp_client: Any, tmp_path: Path) -> Client:
    (tmp_path / "s.yaml").write_text(FOLDER, encoding="utf-8")
    return await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=3)))


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize("path", ["/", "/_mock", "/_mock/", "/_mock/ui"])
async def test_these_paths_send_to_the_page(client: Client, path: str) -> None:
    response = await client.get(path, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/_mock/ui/")


async def test_a_routes_map_may_claim_the_root(aiohttp_client: Any, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(FOLDER + "---\nschema: 1\nkind: routes\nroutes:\n  /: miniprogram\n", encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))
    response = await client.get("/?message=hi", allow_redirects=False)
    assert response.status == 200 and (await response.text()).startswith('success: {"content":"你"}')
    assert (await client.post("/", json={"message": "hi"})).status == 200


async def test_the_page_and_every_file_it_loads_are_served_from_the_package(client: Client) -> None:
    page = await client.get("/_mock/ui/")
    assert page.content_type == "text/html"
    html = await page.text()
    loaded = re.findall(r'(?:src|href)="([^"#]+)"', html)
    modules = {m for f in STATIC.glob("*.js") for m in re.findall(r'from "\./([a-z]+\.js)"', f.read_text(encoding="utf-8"))}
    assert {"style.css", "app.js", "mockllm-client.js", "favicon.svg"} <= set(loaded) and {"dom.js", "wire.js"} <= modules
    for name in {*loaded, *modules} - {"./"}:
        assert not name.startswith(("http:", "https:", "//")), name
        response = await client.get("/_mock/ui/" + name)
        assert response.status == 200, name
        assert response.headers["Content-Type"].split(";")[0] in ("text/javascript", "text/css", "image/svg+xml"), name


async def test_the_phone_preview_runs_the_reference_client_itself(client: Client) -> None:
    served = await (await client.get("/_mock/ui/mockllm-client.js")).read()
    assert served == (REPO / "clients" / "miniprogram" / "mockllm-client.js").read_bytes()


@pytest.mark.parametrize("name", ["nope.js", "..%2Fpage.py", ".hidden.js", "__init__.py"])
async def test_other_names_are_not_served(client: Client, name: str) -> None:
    assert (await client.get("/_mock/ui/" + name)).status == 404


def test_the_static_files_ship_in_the_wheel() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"mockllm.server.ui" = ["static/*"]' in pyproject
    assert (STATIC / "mockllm-client.js").is_symlink() and (STATIC / "mockllm-client.js").is_file()


# ---------------------------------------------------------------- what the page reads


async def test_scenarios_tell_steps_wire_faults_and_bound_routes(folder_client: Client) -> None:
    listed = {s["name"]: s for s in await (await folder_client.get("/_mock/scenarios")).json()}
    bound = listed["bound"]
    assert bound["steps"] == [{"say": "好的"}] and bound["wire"] == {"split_utf8": "every"}
    assert bound["faults"] == [{"fault": "reset", "after_deltas": 2}] and bound["routes"] == ["/root-chat"]
    assert (listed["default"]["wire"], listed["default"]["faults"], listed["default"]["routes"]) == (None, None, [])


async def test_dialects_list_provider_routes_framings_and_the_routes_map(folder_client: Client) -> None:
    found = await (await folder_client.get("/_mock/dialects")).json()
    assert "POST /v1/chat/completions" in next(d["routes"] for d in found["dialects"] if d["name"] == "openai")
    assert not {d["name"] for d in found["dialects"]} & {f["name"] for f in found["framings"]}
    assert {"name": "shop", "custom": True, "extends": "miniprogram"} in found["framings"]
    assert {"name": "miniprogram", "custom": False, "extends": None} in found["framings"]
    assert found["routes_map"] == [{"path": "/root-chat", "framing": "shop", "scenario": "bound", "methods": ["GET", "POST"]}]


# ---------------------------------------------------------------- the live feed


async def next_event(response: Any) -> dict[str, Any]:
    """The next `data:` event of an SSE response (comments skipped)."""
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 10)).decode()
        if line.startswith("data: "):
            return dict(json.loads(line[6:]))


async def test_the_live_feed_sends_the_backlog_then_each_request_as_it_finishes(client: Client) -> None:
    await client.post("/miniprogram/chat", json={"message": "a"}, headers={"X-Mock-Scenario": "hello"})
    live = await client.get("/_mock/live?backlog=5")
    assert live.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    first = await next_event(live)
    assert (first["id"], first["scenario"], first["status"]) == (1, "hello", 200)
    await client.post("/miniprogram/chat", json={"message": "b"}, headers={"X-Mock-Scenario": "login-required", "X-Mock-Session": "phone"})
    second = await next_event(live)
    assert (second["id"], second["session"], second["ended"]) == (2, "phone", "complete")
    assert second["errors"] == [{"status": 401, "code": -1, "type": None, "message": "请先登录"}]
    live.close()


async def test_a_closed_live_feed_unsubscribes(client: Client) -> None:
    live = await client.get("/_mock/live?backlog=0")
    await live.content.readline()  # ": live": subscribed
    journal = client.app[STATE].journal
    assert len(journal._subscribers) == 1
    live.close()
    await client.post("/miniprogram/chat", json={"message": "a"})  # the feed's next write notices the client left
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while journal._subscribers:
        assert loop.time() < deadline, "the feed did not unsubscribe"
        await asyncio.sleep(0.01)


async def test_a_bad_backlog_is_a_400(client: Client) -> None:
    assert (await client.get("/_mock/live?backlog=all")).status == 400


# ---------------------------------------------------------------- console lines and the journal


async def test_console_lines_tell_start_business_error_and_end(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "mockllm")
    await client.post("/miniprogram/chat", json={"message": "hi"}, headers={"X-Mock-Scenario": "recharge-required"})
    # the end marker goes out one delta interval after the error frame: wait for the request to finish (and be logged)
    assert len(await (await client.get("/_mock/journal?scenario=recharge-required&wait=10")).json()) == 1
    start, end = [r for r in caplog.records if r.getMessage().startswith("POST /miniprogram/chat")]
    assert start.getMessage() == "POST /miniprogram/chat ← recharge-required seed=1"
    assert end.levelname == "WARNING"
    assert end.getMessage().startswith("POST /miniprogram/chat → recharge-required seed=1 200 stream, 2 writes, ")
    assert end.getMessage().endswith(" ms, complete; error code 101 '余额不足，请充值后再试' in the stream")


async def test_console_line_of_a_provider_error_and_of_an_override(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "mockllm")
    await client.post("/_mock/overrides", json={"scenario": "rate-limited"})
    await client.post("/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    start, end = [r.getMessage() for r in caplog.records if r.getMessage().startswith("POST /v1/chat/completions")]
    assert start == "POST /v1/chat/completions ← rate-limited seed=1 (demo override #1)"
    assert re.search(r"→ rate-limited seed=1 429 whole, 1 writes, .* ms, complete; error code rate_limit_exceeded '.+' as HTTP 429$", end)


async def test_an_unknown_route_is_logged_and_journaled(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    assert (await client.post("/nowhere/at/all?x=1", json={})).status == 404
    assert (await client.get("/v1/nothing")).status == 404
    assert "POST /nowhere/at/all?x=1 → 404 no route" in caplog.messages
    entries = (await (await client.get("/_mock/journal")).json())[-2:]
    assert [(e["method"], e["path"], e["status"], e["ended"]) for e in entries] == [
        ("POST", "/nowhere/at/all", 404, "no route"),
        ("GET", "/v1/nothing", 404, "no route"),
    ]


async def test_a_failed_reload_says_why_on_the_console(aiohttp_client: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "s.yaml").write_text(FOLDER, encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))
    caplog.set_level("INFO", "mockllm")
    assert (await client.post("/_mock/reload")).status == 200
    assert f"reloaded 2 scenarios from {tmp_path}" in caplog.messages
    (tmp_path / "bad.yaml").write_text("schema: 1\nname: x\ndescription: d\nsteps: [{shout: hi}]\n", encoding="utf-8")
    assert (await client.post("/_mock/reload")).status == 422
    assert "reload failed, still serving the previous scenarios: 1 problem(s)" in caplog.messages
    assert any(m.startswith(f"  {tmp_path}/bad.yaml:4: steps[0]") for m in caplog.messages)


def test_the_inspectors_read_analysis() -> None:
    """`node --test tests/browser/playground_wire.mjs`: reads that cut a character or a frame, frame boundaries."""
    node = shutil.which("node")
    assert node, "Node.js is needed to test the playground's read analysis"
    done = subprocess.run([node, "--test", str(REPO / "tests" / "browser" / "playground_wire.mjs")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 5" in done.stdout
