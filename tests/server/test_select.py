"""Scenario selection: header → query → body → model name → match rules → default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict

from mockllm.core.errors import RequestError
from mockllm.core.request import ChatRequest
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import load_catalog
from mockllm.server import selection

SCENARIOS = {
    "by-header": {},
    "by-query": {},
    "by-body": {},
    "by-model": {},
    "a-recharge": {"match": {"message": "充值|余额"}},
    "b-also-recharge": {"match": {"message": "充值"}},
    "gpt-path": {"match": {"model": "^gpt-", "path": "/v1/"}},
    "default": {},
}


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    for name, extra in SCENARIOS.items():
        match = f"match: {extra['match']}\n" if extra else ""
        (tmp_path / f"{name}.yaml").write_text(f"schema: 1\nname: {name}\ndescription: d\n{match}steps:\n  - say: hi\n")
    return load_catalog(tmp_path)


def choose(catalog: Catalog, *, header: str | None = None, query: dict[str, str] | None = None, body: str | None = None,
           model: str | None = None, message: str = "hello", path: str = "/v1/chat/completions") -> str:
    chat = ChatRequest(messages=(("user", message),), model=model, scenario=body)
    headers = CIMultiDict({"x-mock-scenario": header} if header else {})
    return selection.choose(catalog, chat, headers=headers, query=query or {}, path=path, default="default").scenario.name


ALL: dict[str, Any] = {
    "header": "by-header",
    "query": {"scenario": "by-query"},
    "body": "by-body",
    "model": "by-model",
    "message": "请帮我充值",
}


@pytest.mark.parametrize(
    "drop, expected",
    [
        pytest.param((), "by-header", id="header-first"),
        pytest.param(("header",), "by-query", id="then-query"),
        pytest.param(("header", "query"), "by-body", id="then-body-mock_scenario"),
        pytest.param(("header", "query", "body"), "by-model", id="then-model-name"),
        pytest.param(("header", "query", "body", "model"), "a-recharge", id="then-first-matching-rule"),
        pytest.param(("header", "query", "body", "model", "message"), "default", id="then-default"),
    ],
)
def test_precedence(catalog: Catalog, drop: tuple[str, ...], expected: str) -> None:
    assert choose(catalog, **{k: v for k, v in ALL.items() if k not in drop}) == expected


def test_query_mock_scenario_alias(catalog: Catalog) -> None:
    assert choose(catalog, query={"mock_scenario": "by-query"}) == "by-query"


def test_header_name_is_case_insensitive(catalog: Catalog) -> None:
    chat = ChatRequest(messages=(("user", "x"),))
    headers = CIMultiDict({"X-MOCK-SCENARIO": "by-header"})
    assert selection.choose(catalog, chat, headers=headers, query={}, path="/", default="default").scenario.name == "by-header"


@pytest.mark.parametrize(
    "model, path, expected",
    [
        pytest.param("gpt-4o", "/v1/chat/completions", "gpt-path", id="all-rules-hold"),
        pytest.param("gpt-4o", "/other", "default", id="one-rule-fails"),
        pytest.param("claude", "/v1/chat/completions", "default", id="model-rule-fails"),
        pytest.param(None, "/v1/chat/completions", "default", id="no-model"),
    ],
)
def test_every_match_rule_must_hold(catalog: Catalog, model: str | None, path: str, expected: str) -> None:
    assert choose(catalog, model=model, path=path) == expected


def test_match_searches_the_last_user_message(catalog: Catalog) -> None:
    chat = ChatRequest(messages=(("user", "请帮我充值"), ("assistant", "好的"), ("user", "谢谢")))
    assert selection.choose(catalog, chat, headers={}, query={}, path="/", default="default").scenario.name == "default"


@pytest.mark.parametrize(
    "where, source",
    [
        pytest.param({"header": "nope"}, "header X-Mock-Scenario", id="header"),
        pytest.param({"query": {"scenario": "nope"}}, "query ?scenario=", id="query"),
        pytest.param({"body": "nope"}, "body field mock_scenario", id="body"),
    ],
)
def test_unknown_name_is_404_listing_the_names(catalog: Catalog, where: dict[str, Any], source: str) -> None:
    with pytest.raises(RequestError) as info:
        choose(catalog, **where)
    error = info.value.error
    assert (error.status, error.code, error.type) == (404, "scenario_not_found", "invalid_request_error")
    assert error.message == f"Unknown scenario 'nope' (from {source}). Known scenarios: {', '.join(catalog.names)}."


def test_unknown_model_name_is_not_an_error(catalog: Catalog) -> None:
    assert choose(catalog, model="gpt-3.5-turbo", path="/x") == "default"
