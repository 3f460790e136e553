"""`sse-json`: `data: {"content": …}` server-sent events, ended by a configurable done event.

    data: {"content":"你好"}\\n\\n
    event: error\\ndata: {"code":101,"msg":"余额不足"}\\n\\n
    data: [DONE]\\n\\n                             (a scenario's `framing: {done: …}` changes it)
"""

from __future__ import annotations

from mockllm.dialects.apps.template import Preset, TemplateFramer
from mockllm.dialects.base import register


@register
class SSEJson(TemplateFramer):
    """JSON payloads as server-sent events."""

    name = "sse-json"
    heartbeat = b": keep-alive\n\n"
    framing = Preset(
        name=name,
        description='data: {"content": …} events, data: [DONE] at the end',
        content_type="text/event-stream; charset=utf-8",
        frame="data: {json}",
        think="data: {json}",
        error="event: error\ndata: {json}",
        done="data: [DONE]\n\n",
        line_ending="\n\n",
    )
