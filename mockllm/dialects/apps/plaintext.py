"""`text`: the bare deltas as UTF-8 text, as a Flask backend's `yield delta` sends them.

An in-stream business error is its JSON on a line of its own:
`\\n{"code":101,"msg":"余额不足"}`. A scenario's `framing: {content_type: …}`
changes the Content-Type (some backends send raw text as `text/event-stream`).
"""

from __future__ import annotations

from mockllm.dialects.apps.template import Preset, TemplateFramer
from mockllm.dialects.base import register


@register
class PlainText(TemplateFramer):
    """Bare UTF-8 deltas."""

    name = "text"
    framing = Preset(
        name=name,
        description="bare UTF-8 deltas (Flask `yield delta`)",
        content_type="text/plain; charset=utf-8",
        frame="{text}",
        error="\n{json}",
        line_ending="",
        whole="{text}",
        whole_content_type="text/plain; charset=utf-8",
    )
