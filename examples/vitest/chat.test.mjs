// Each test has its own mockllm session: its own scenarios, journal and attempt counters.
import OpenAI from "openai";
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { connectMockllm } from "mockllm-node";

const mockllm = connectMockllm(inject("mockllmUrl"));
let session;
let client;

beforeEach(() => {
  session = mockllm.session();
  client = new OpenAI({ baseURL: session.openaiBaseUrl, apiKey: "unused", defaultHeaders: session.headers });
});
afterEach(() => session.reset());

test("the answer this test asked for", async () => {
  await session.defineScenario({ steps: [{ say: "Hello from mockllm" }] });
  const reply = await client.chat.completions.create({ model: "any", messages: [{ role: "user", content: "hi" }] });
  expect(reply.choices[0].message.content).toBe("Hello from mockllm");
  const [entry] = await session.journal();
  expect(entry.body.messages).toEqual([{ role: "user", content: "hi" }]);
});

test("the SDK retries a rate limit on its own", async () => {
  await session.defineScenario({ attempts: [[{ error: "rate_limited" }], [{ say: "second time" }]] });
  const reply = await client.chat.completions.create({ model: "any", messages: [{ role: "user", content: "hi" }] });
  expect(reply.choices[0].message.content).toBe("second time");
  expect((await session.journal()).map((e) => e.status)).toEqual([429, 200]);
});
