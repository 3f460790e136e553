"""Golden files of the Anthropic Messages route: text, thinking, tool use, errors, byte for byte.

After a deliberate change to the output, rewrite them with
`python scripts/regen_anthropic_golden.py` and review the diff.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from golden_files import readable_diff
from regen_anthropic_golden import CASES, GOLDEN_DIR, capture, config

from mockllm.server.app import create_app


@pytest.mark.parametrize("case", CASES)
async def test_matches_golden(aiohttp_client: Any, case: str) -> None:
    client = await aiohttp_client(create_app(config(CASES[case][0])))
    path = GOLDEN_DIR / case
    actual = await capture(client, case)
    regen = "If the change is intended: python scripts/regen_anthropic_golden.py"
    assert path.exists(), f"no golden file {path.name}. {regen}"
    expected = path.read_bytes()
    if actual != expected:
        pytest.fail(f"{case} differs from its golden file:\n{readable_diff(expected, actual, path.name)}\n{regen}", pytrace=False)


def test_no_stale_golden_files() -> None:
    stale = sorted({p.name for p in GOLDEN_DIR.iterdir()} - set(CASES))
    assert not stale, f"golden files without a case: {', '.join(stale)}; delete them"


def events(case: str) -> list[tuple[str, Any]]:
    """The (event name, data) pairs of a golden stream."""
    out = []
    for frame in (GOLDEN_DIR / case).read_text(encoding="utf-8").split("\n\n")[:-1]:
        name, data = frame.split("\n")
        assert name.startswith("event: ") and data.startswith("data: "), frame
        out.append((name[7:], json.loads(data[6:])))
    return out


@pytest.mark.parametrize("case", [c for c in CASES if c.endswith(".stream.txt") and c not in ("midstream-error.stream.txt", "overloaded.stream.txt")])
def test_every_event_names_its_type_and_the_sequence_is_complete(case: str) -> None:
    seen = events(case)
    assert all(name == data["type"] for name, data in seen)
    names = [name for name, _ in seen]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"] and names.count("ping") == 1
    assert names.count("content_block_start") == names.count("content_block_stop")
    assert seen[0][1]["message"]["usage"]["input_tokens"] > 0 and seen[-2][1]["usage"]["output_tokens"] > 0


def test_thinking_blocks_come_only_when_the_request_turns_thinking_on() -> None:
    on = [data["content_block"]["type"] for name, data in events("thinking.stream.txt") if name == "content_block_start"]
    off = [data["content_block"]["type"] for name, data in events("thinking-off.stream.txt") if name == "content_block_start"]
    assert (on, off) == (["thinking", "text"], ["text"])
    deltas = [data["delta"]["type"] for name, data in events("thinking.stream.txt") if name == "content_block_delta"]
    assert deltas.index("signature_delta") == deltas.count("thinking_delta") and deltas.count("signature_delta") == 1
