"""A bare aiohttp server that streams pre-built OpenAI-shaped frames: the reference for CPU per chunk.

It does what mockllm's write path does and nothing more: one `data: ...\\n\\n`
frame per character of the last user message, the same headers, chunked
transfer, deadline-based pacing (`X-Mock-Delay-Ms`, default 20; `X-Mock-Speed: 0`
for none). Frames are built once per distinct message.

    python bench/bare_server.py --port 0 [--backlog 128]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json

from aiohttp import web

HEAD = (
    'data: {"id":"chatcmpl-bench0000000000000000000000","object":"chat.completion.chunk","created":1735689600,'
    '"model":"bench","service_tier":"default","system_fingerprint":"fp_0000000000","choices":[{"index":0,"delta":'
)
HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@functools.lru_cache(maxsize=16)
def frames_for(text: str) -> tuple[bytes, ...]:
    """Role frame, one frame per character, finish frame, [DONE]."""
    tail = ',"logprobs":null,"finish_reason":null}]}\n\n'
    role = HEAD + '{"role":"assistant","content":"","refusal":null}' + tail
    deltas = [HEAD + '{"content":' + json.dumps(ch, ensure_ascii=False) + "}" + tail for ch in text]
    finish = HEAD + '{},"logprobs":null,"finish_reason":"stop"}]}\n\n'
    return tuple(f.encode() for f in [role, *deltas, finish, "data: [DONE]\n\n"])


async def stream(request: web.Request) -> web.StreamResponse:
    """Write the frames, the first at once and each delta `delay` after the one before."""
    body = await request.json()
    frames = frames_for(body["messages"][-1]["content"])
    speed = float(request.headers.get("X-Mock-Speed", "1"))
    delay = float(request.headers.get("X-Mock-Delay-Ms", "20")) * speed / 1000
    response = web.StreamResponse(headers=HEADERS)
    response.enable_chunked_encoding()
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    start = loop.time()
    deltas = len(frames) - 3  # between the role frame and the finish and [DONE] frames
    for i, frame in enumerate(frames):
        due = start + delay * min(max(i - 1, 0), deltas - 1)
        if delay and due > loop.time():
            await asyncio.sleep(due - loop.time())
        await response.write(frame)
    await response.write_eof()
    return response


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def serve(port: int, backlog: int) -> None:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", stream)
    app.router.add_get("/_mock/health", health)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=backlog)
    await site.start()
    print(f"bare server on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=128, help="listen backlog (aiohttp's default is 128)")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.backlog))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
