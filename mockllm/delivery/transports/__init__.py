"""How wire items reach a client: HTTP chunked, and any other transport the pacer drives.

`base.Transport` is the whole interface a transport implements; the pacer
(`mockllm.delivery.pacer`) decides when, a transport only how.
"""

from __future__ import annotations

from mockllm.delivery.transports.base import Transport

__all__ = ["Transport"]
