// The Node Anthropic clients against a live server: the official @anthropic-ai/sdk and the AI SDK's @ai-sdk/anthropic.
// stdin: a JSON array of cases {name, client: "sdk"|"ai-sdk", baseURL, model, headers, tools?, thinking?, maxRetries?, loop?};
// `loop` (AI SDK): the tool runs and answers `loop`, and the model is called again with its result.
// stdout: one JSON object, case name → what the client saw.
import Anthropic from "@anthropic-ai/sdk";
import { createAnthropic } from "@ai-sdk/anthropic";
import { isStepCount, jsonSchema, streamText, tool } from "ai";
import { stdinJson } from "./reader.mjs";

const PROMPT = "你好，介绍一下你自己。";
const WEATHER = {
  description: "Current weather of a city.",
  schema: {
    type: "object",
    properties: { city: { type: "string", enum: ["北京", "上海"] }, unit: { type: "string", enum: ["c", "f"] } },
    required: ["city"],
  },
};

function failure(error) {
  return { error: error.constructor.name, status: error.status ?? error.statusCode, type: error.error?.error?.type, requestID: error.requestID };
}

// @anthropic-ai/sdk: messages.stream → text events and finalMessage(); errors as thrown.
async function sdk(test) {
  const client = new Anthropic({ baseURL: test.baseURL, apiKey: "sk-ant-unused", maxRetries: test.maxRetries ?? 0 });
  const params = { model: test.model, max_tokens: 4096, messages: [{ role: "user", content: PROMPT }] };
  if (test.tools) params.tools = [{ name: "get_weather", description: WEATHER.description, input_schema: WEATHER.schema }];
  if (test.thinking) params.thinking = { type: "enabled", budget_tokens: 2048 };
  let text = "";
  try {
    const stream = client.messages.stream(params, { headers: test.headers });
    stream.on("text", (piece) => (text += piece));
    const final = await stream.finalMessage();
    return { text, stop_reason: final.stop_reason, usage: final.usage, id: final.id, content: final.content };
  } catch (error) {
    return { text, ...failure(error) };
  }
}

// @ai-sdk/anthropic with streamText: the text, reasoning, tool calls, finish reason and usage; error parts as seen.
async function aiSdk(test) {
  const provider = createAnthropic({ baseURL: test.baseURL + "/v1", apiKey: "sk-ant-unused", headers: test.headers });
  const options = { model: provider(test.model), prompt: PROMPT, maxOutputTokens: 4096, maxRetries: 0, onError: () => {} };
  if (test.tools || test.loop) {
    const execute = test.loop ? { execute: async () => test.loop } : {};
    options.tools = { get_weather: tool({ description: WEATHER.description, inputSchema: jsonSchema(WEATHER.schema), ...execute }) };
  }
  if (test.loop) options.stopWhen = isStepCount(2);
  if (test.thinking) options.providerOptions = { anthropic: { thinking: { type: "enabled", budgetTokens: 2048 } } };
  const result = streamText(options);
  const seen = { text: "", reasoning: "", toolCalls: [], toolResults: [], errors: [], steps: 0 };
  for await (const part of result.fullStream) {
    if (part.type === "text-delta") seen.text += part.text;
    else if (part.type === "reasoning-delta") seen.reasoning += part.text;
    else if (part.type === "tool-call") seen.toolCalls.push({ toolName: part.toolName, input: part.input, toolCallId: part.toolCallId });
    else if (part.type === "tool-result") seen.toolResults.push(part.output);
    else if (part.type === "finish-step") seen.steps += 1;
    else if (part.type === "finish") Object.assign(seen, { finishReason: part.finishReason, usage: part.totalUsage });
    else if (part.type === "error") seen.errors.push({ name: part.error?.name, statusCode: part.error?.statusCode, message: part.error?.message });
  }
  return seen;
}

const results = {};
for (const test of await stdinJson()) results[test.name] = await (test.client === "sdk" ? sdk : aiSdk)(test);
console.log(JSON.stringify(results));
