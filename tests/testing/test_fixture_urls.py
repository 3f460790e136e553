"""The fixture's base URLs carry the test's session in the path: a client given only a URL is isolated."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from openai import OpenAI

from mockllm.testing.pytest_plugin import Mockllm


def test_openai_base_url_alone_reaches_the_test_s_scenario_and_journal(live_server: Any) -> None:
    server = live_server()
    mine, other = Mockllm(server.url, "test-urls-1"), Mockllm(server.url, "test-urls-2")
    mine.scenario(steps=[{"say": "鑫"}])
    assert (mine.server_url, mine.base_url, mine.openai_base_url) == (server.url, f"{server.url}/s/test-urls-1", f"{server.url}/s/test-urls-1/v1")
    with OpenAI(base_url=mine.openai_base_url, api_key="unused", max_retries=0) as bare, OpenAI(base_url=other.openai_base_url, api_key="unused", max_retries=0) as theirs:
        assert bare.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content == "鑫"
        assert theirs.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content != "鑫"
    request = urllib.request.Request(mine.base_url + "/miniprogram/chat", data=json.dumps({"message": "hi"}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "鑫" in response.read().decode()
    assert [(e["path"], e["session"]) for e in mine.journal()] == [("/v1/chat/completions", "test-urls-1"), ("/miniprogram/chat", "test-urls-1")]
    assert [e["session"] for e in other.journal()] == ["test-urls-2"]
    with mine.openai_client() as both:  # the header and the path name the same session
        assert both.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content == "鑫"
    mine.reset()
    other.reset()
