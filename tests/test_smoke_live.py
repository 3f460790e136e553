"""The official openai SDK streams from a live server (smoke check of the fixture)."""

from openai import OpenAI


def test_openai_sdk_streams_hello(live_server):
    server = live_server()
    client = OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    stream = client.chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}], stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    whole = client.chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}])
    assert text == whole.choices[0].message.content
    assert text.startswith("你好！我是 mockllm")
