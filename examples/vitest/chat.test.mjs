// Each test has its own mockllm session: its own scenarios, journal and attempt counters.
import OpenAI from "openai";
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { connectMockllm } from "mockllm-node";

const mockllm = connectMockllm(inject("mockllmUrl"));
const HI = [{ role: "user", content: "hi" }];
let session;
let client;

beforeEach(() => {
  session = mockllm.session();
  client = new OpenAI({ baseURL: session.openaiBaseUrl, apiKey: "unused", defaultHeaders: session.headers });
});
afterEach(() => session.reset());

test("a test without a scenario of its own gets the folder's default", async () => {
  const reply = await client.chat.completions.create({ model: "any", messages: HI });
  expect(reply.choices[0].message.content).toBe("No scenario for this test.");
});

test("the answer this test asked for, and the request it sent", async () => {
  await session.defineScenario({ steps: [{ say: "Hello from mockllm" }] });
  const reply = await client.chat.completions.create({ model: "any", messages: HI });
  expect(reply.choices[0].message.content).toBe("Hello from mockllm");
  const [entry] = await session.journal();
  expect(entry.body.messages).toEqual(HI);
});

test("a streamed tool call", async () => {
  await session.defineScenario({ steps: [{ tool_call: { name: "get_weather", arguments: { city: "Paris" } } }] });
  const stream = await client.chat.completions.create({ model: "any", messages: HI, stream: true });
  let args = "";
  for await (const chunk of stream) args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? "";
  expect(JSON.parse(args)).toEqual({ city: "Paris" });
  const entry = await session.waitForRequest({ path: "/v1/chat/completions" });
  expect(entry.stream).toBe(true);
});

test("the SDK retries a rate limit on its own", async () => {
  await session.defineScenario({ attempts: [[{ error: "rate_limited" }], [{ say: "second time" }]] });
  const reply = await client.chat.completions.create({ model: "any", messages: HI });
  expect(reply.choices[0].message.content).toBe("second time");
  expect((await session.journal()).map((e) => e.status)).toEqual([429, 200]);
});
