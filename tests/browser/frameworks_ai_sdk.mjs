// The AI SDK providers against mockllm: streamText, a two-step tool loop, generateObject, a 429 and a mid-stream error,
// over @ai-sdk/openai (Chat and Responses), @ai-sdk/openai-compatible, @ai-sdk/anthropic and @ai-sdk/google.
// stdin: {url, headers}; stdout: one JSON object, one entry per provider.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { stdinJson } from "./reader.mjs";

const input = await stdinJson();
const headers = input.headers || {};
const openai = createOpenAI({ baseURL: `${input.url}/v1`, apiKey: "sk-unused", headers });
const compatible = createOpenAICompatible({ name: "mockllm", baseURL: `${input.url}/v1`, apiKey: "sk-unused", headers });
const strict = createOpenAICompatible({ name: "mockllm", baseURL: `${input.url}/v1`, apiKey: "sk-unused", headers, supportsStructuredOutputs: true });
globalThis.AI_SDK_LOG_WARNINGS = false;
const quiet = { maxRetries: 0, onError: () => {} };
const anthropic = createAnthropic({ baseURL: `${input.url}/v1`, apiKey: "sk-unused", headers });
const google = createGoogleGenerativeAI({ baseURL: `${input.url}/v1beta`, apiKey: "unused", headers });
const WEATHER = jsonSchema({
  type: "object",
  properties: { city: { type: "string" }, temperature: { type: "integer" } },
  required: ["city", "temperature"],
  additionalProperties: false,
});
const CITY = jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false });
const message = (error) => String(error?.message || error);

async function streamed(model) {
  const seen = { text: "", deltas: 0, finishReason: null, errors: [] };
  for await (const part of streamText({ model, prompt: "hi", ...quiet }).fullStream) {
    if (part.type === "text-delta") {
      seen.text += part.text;
      seen.deltas += 1;
    } else if (part.type === "finish") seen.finishReason = part.finishReason;
    else if (part.type === "error") seen.errors.push(message(part.error));
  }
  return seen;
}

async function agent(model) {
  const getWeather = tool({ description: "The weather in a city.", inputSchema: CITY, execute: async ({ city }) => `${city}: sunny, 25°C` });
  const result = streamText({ model, prompt: "What is the weather in Beijing?", tools: { get_weather: getWeather }, stopWhen: stepCountIs(2), ...quiet });
  const text = await result.text;
  const steps = await result.steps;
  return { text, calls: steps.flatMap((step) => step.toolCalls.map((call) => call.toolName)), finishReason: await result.finishReason };
}

async function object(model) {
  try {
    const result = await generateObject({ model, schema: WEATHER, prompt: "Weather in Beijing?", maxRetries: 0 });
    return { object: result.object, finishReason: result.finishReason };
  } catch (error) {
    return { error: message(error) };
  }
}

async function failure(run) {
  try {
    return { value: await run() };
  } catch (error) {
    return { name: error?.constructor?.name, status: error?.statusCode ?? null, message: message(error) };
  }
}

const providers = {
  openai: (name) => openai.chat(name),
  responses: (name) => openai.responses(name),
  compatible: (name) => compatible.chatModel(name),
  anthropic: (name) => anthropic(name),
  google: (name) => google(name),
};
const out = {};
for (const [key, model] of Object.entries(providers)) {
  out[key] = {
    text: await streamed(model("hello")),
    agent: await agent(model(key === "google" ? "gemini-2.5-flash" : key === "anthropic" ? "claude-sonnet-4-5" : "gpt-4.1")),
    object: await object(model("hello")),
    rateLimit: await failure(() => generateText({ model: model("rate-limited"), prompt: "hi", maxRetries: 0 })),
    midstream: await streamed(model("midstream-error")),
  };
}
out.compatible.strictObject = await object(strict.chatModel("hello"));
const claude = createAnthropic({ baseURL: `${input.url}/v1`, apiKey: "sk-unused", headers: { ...headers, "X-Mock-Scenario": "hello" } });
out.anthropic.currentModelObject = await object(claude("claude-sonnet-4-5"));
console.log(JSON.stringify(out));
