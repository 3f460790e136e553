// Tool calls as the Node clients see them. stdin: {baseURL, headers, model, messages, tools}; stdout: one JSON object.
//   sdkFinal:  openai-node `chat.completions.stream(...)` → finalChatCompletion() tool calls
//   sdkDeltas: openai-node `create({stream: true})`, tool-call deltas accumulated by index
//   sdkWhole:  openai-node `create()` tool calls
//   aiSdk:     `streamText` from `ai` over `@ai-sdk/openai` `.chat()`: text, tool inputs as streamed, tool calls, finish reason
//   aiAgent:   the same with an executing tool and two steps: the text of the answer after the tool's result
import { createOpenAI } from "@ai-sdk/openai";
import { jsonSchema, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { stdinJson } from "./reader.mjs";

const input = await stdinJson();
const client = new OpenAI({ baseURL: `${input.baseURL}/v1`, apiKey: "sk-unused", maxRetries: 0, defaultHeaders: input.headers });
const request = { model: input.model, messages: input.messages, tools: input.tools };
const calls = (message) => (message.tool_calls || []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));

const sdkFinal = calls((await client.chat.completions.stream(request).finalChatCompletion()).choices[0].message);

const byIndex = new Map();
let finishReason = null;
for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) {
  for (const choice of chunk.choices) {
    finishReason = choice.finish_reason || finishReason;
    for (const delta of choice.delta.tool_calls || []) {
      const call = byIndex.get(delta.index) || { id: null, name: null, arguments: "" };
      call.id = delta.id || call.id;
      call.name = delta.function?.name || call.name;
      call.arguments += delta.function?.arguments || "";
      byIndex.set(delta.index, call);
    }
  }
}
const sdkDeltas = { finishReason, calls: [...byIndex.keys()].sort().map((i) => ({ index: i, ...byIndex.get(i) })) };

const sdkWhole = calls((await client.chat.completions.create(request)).choices[0].message);

const provider = createOpenAI({ baseURL: `${input.baseURL}/v1`, apiKey: "sk-unused", headers: input.headers });
const tools = (execute) =>
  Object.fromEntries(
    input.tools.map((t) => [t.function.name, tool({ description: t.function.description, inputSchema: jsonSchema(t.function.parameters), execute })]),
  );

async function aiStream(model, options) {
  const seen = { text: "", toolInputs: {}, toolCalls: [], finishReason: null, errors: [] };
  for await (const part of streamText({ model: provider.chat(model), messages: input.messages, maxRetries: 0, ...options }).fullStream) {
    if (part.type === "text-delta") seen.text += part.text;
    else if (part.type === "tool-input-delta") seen.toolInputs[part.id] = (seen.toolInputs[part.id] || "") + part.delta;
    else if (part.type === "tool-call") seen.toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
    else if (part.type === "finish") seen.finishReason = part.finishReason;
    else if (part.type === "error") seen.errors.push(String(part.error?.message || part.error));
  }
  return seen;
}

const aiSdk = await aiStream(input.model, { tools: tools(undefined) });
const aiAgent = input.agentModel
  ? await aiStream(input.agentModel, { tools: tools(async (args) => ({ forecast: "晴", args })), stopWhen: stepCountIs(2) })
  : null;

console.log(JSON.stringify({ sdkFinal, sdkDeltas, sdkWhole, aiSdk, aiAgent }));
