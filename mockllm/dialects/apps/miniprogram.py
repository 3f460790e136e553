"""`miniprogram`: the `success: {json}` lines many mini-program backends send, ended by `0\\r\\n\\r\\n`.

    success: {"content":"你好"}\\r\\n            one per delta
    event: error\\ndata: {"code":101,"msg":"余额不足"}\\r\\n
    0\\r\\n\\r\\n                                 the end marker clients check for
"""

from __future__ import annotations

from mockllm.dialects.apps.template import Preset, TemplateFramer
from mockllm.dialects.base import register


@register
class MiniProgram(TemplateFramer):
    """Mini-program success-lines."""

    name = "miniprogram"
    framing = Preset(
        name=name,
        description="success: {json} lines, event: error frames, 0\\r\\n\\r\\n end marker",
        content_type="text/event-stream; charset=utf-8",
        frame="success: {json}",
        error="event: error\ndata: {json}",
        done="0\r\n\r\n",
        line_ending="\r\n",
    )
