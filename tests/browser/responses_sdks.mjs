// The Node openai SDK and the AI SDK (@ai-sdk/openai .responses() with streamText) read a live server's
// Responses route. stdin: {"baseURL": "http://127.0.0.1:PORT/v1"}; stdout: one JSON object of what each saw.
import OpenAI from "openai";
import { createOpenAI } from "@ai-sdk/openai";
import { jsonSchema, stepCountIs, streamText, tool } from "ai";
import { stdinJson } from "./reader.mjs";

const { baseURL } = await stdinJson();
const headers = { "X-Mock-Speed": "0", "X-Mock-Seed": "7" };
const client = new OpenAI({ baseURL, apiKey: "sk-unused", maxRetries: 0, defaultHeaders: headers });
const provider = createOpenAI({ baseURL, apiKey: "sk-unused", headers });
const weather = { type: "object", properties: { city: { type: "string", enum: ["北京", "上海"] } }, required: ["city"] };
const functionTool = { type: "function", name: "get_weather", description: "Current weather of a city.", parameters: weather };

async function sdkText() {
  const stream = client.responses.stream({ model: "hello", input: "你好" });
  const types = [];
  let deltas = "";
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "response.output_text.delta") deltas += event.delta;
  }
  const final = await stream.finalResponse();
  return { deltas, outputText: final.output_text, status: final.status, first: types[0], last: types.at(-1) };
}

async function sdkToolCall() {
  const stream = client.responses.stream({ model: "tool-call", input: "北京天气", tools: [functionTool] });
  let argumentDeltas = 0;
  stream.on("response.function_call_arguments.delta", () => argumentDeltas++);
  const final = await stream.finalResponse();
  const calls = final.output.filter((item) => item.type === "function_call");
  return { argumentDeltas, calls: calls.map(({ name, arguments: args, call_id, status }) => ({ name, args: JSON.parse(args), call_id, status })) };
}

async function sdkMidstreamError() {
  let text = "";
  try {
    for await (const event of await client.responses.create({ model: "midstream-error", input: "x", stream: true })) {
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    return { text, thrown: null };
  } catch (error) {
    return { text, thrown: error.constructor.name, message: error.message };
  }
}

async function aiSdkText() {
  const result = streamText({ model: provider.responses("hello"), prompt: "你好" });
  const parts = [];
  for await (const part of result.fullStream) parts.push(part.type);
  return { text: await result.text, finishReason: await result.finishReason, parts: [...new Set(parts)] };
}

async function aiSdkReasoning() {
  const result = streamText({ model: provider.responses("reasoning"), prompt: "你好" });
  const parts = [];
  for await (const part of result.fullStream) parts.push(part.type);
  return { reasoning: await result.reasoningText, text: await result.text, parts: [...new Set(parts)] };
}

async function aiSdkMidstreamError() {
  const result = streamText({ model: provider.responses("midstream-error"), prompt: "x", onError: () => {} });
  let text = "";
  const errors = [];
  for await (const part of result.fullStream) {
    if (part.type === "text-delta") text += part.text;
    if (part.type === "error") errors.push(part.error?.message ?? String(part.error));
  }
  return { text, errors, finishReason: await result.finishReason };
}

async function aiSdkToolCall() {
  const result = streamText({
    model: provider.responses("tool-call"),
    prompt: "北京天气",
    tools: { get_weather: tool({ description: "Current weather of a city.", inputSchema: jsonSchema(weather) }) },
  });
  const inputDeltas = [];
  for await (const part of result.fullStream) if (part.type === "tool-input-delta") inputDeltas.push(part.delta);
  const calls = (await result.toolCalls).map(({ toolName, input, toolCallId }) => ({ toolName, input, toolCallId }));
  return { calls, inputDeltas: inputDeltas.length, finishReason: await result.finishReason };
}

async function aiSdkAgentLoop() {
  const result = streamText({
    model: provider.responses("gpt-5.2"),
    prompt: "上海天气怎么样？",
    tools: {
      get_weather: tool({ description: "Current weather of a city.", inputSchema: jsonSchema(weather), execute: async ({ city }) => `${city}：晴` }),
    },
    stopWhen: stepCountIs(3),
  });
  const steps = await result.steps;
  return { text: await result.text, steps: steps.map((step) => step.finishReason) };
}

const checks = { sdkText, sdkToolCall, sdkMidstreamError, aiSdkText, aiSdkReasoning, aiSdkMidstreamError, aiSdkToolCall, aiSdkAgentLoop };
const seen = {};
for (const [name, check] of Object.entries(checks)) {
  try {
    seen[name] = await check();
  } catch (error) {
    seen[name] = { failed: `${error.constructor.name}: ${error.message}` };
  }
}
console.log(JSON.stringify(seen));
