// The cohere-ai client (CohereClientV2) against a live server: stdin {"url": ...}; stdout one JSON object of results.
import { CohereClientV2, CohereError } from "cohere-ai";
import { stdinJson } from "./reader.mjs";

const { url } = await stdinJson();
const cohere = new CohereClientV2({ token: "x", baseUrl: url });
const QUESTION = [{ role: "user", content: "你好，请介绍一下你自己。" }];
const WEATHER = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

async function streamed(request, options = {}) {
  const seen = { types: [], text: "", arguments: "", calls: [] };
  try {
    for await (const event of await cohere.chatStream(request, options)) {
      seen.types.push(event.type);
      if (event.type === "content-delta") seen.text += event.delta.message.content.text;
      if (event.type === "tool-call-start") seen.calls.push(event.delta.message.toolCalls);
      if (event.type === "tool-call-delta") seen.arguments += event.delta.message.toolCalls.function.arguments;
      if (event.type === "message-end") Object.assign(seen, { finishReason: event.delta.finishReason, error: event.delta.error ?? null, usage: event.delta.usage });
    }
  } catch (error) {
    seen.thrown = { name: error.constructor.name, isCohereError: error instanceof CohereError, status: error.statusCode ?? null, body: error.body ?? null };
  }
  return seen;
}

async function toolLoop() {
  const messages = [{ role: "user", content: "北京天气怎么样？" }];
  const first = await cohere.chat({ model: "command-a-03-2025", messages, tools: [WEATHER] });
  const [call] = first.message.toolCalls;
  messages.push({ role: "assistant", toolCalls: first.message.toolCalls, toolPlan: first.message.toolPlan }, { role: "tool", toolCallId: call.id, content: "晴，25°C" });
  const answer = await cohere.chat({ model: "command-a-03-2025", messages, tools: [WEATHER] });
  return { call: call.function.name, arguments: JSON.parse(call.function.arguments), finishReason: first.finishReason, answer: answer.message.content[0].text };
}

const whole = await cohere.chat({ model: "hello", messages: QUESTION });
console.log(
  JSON.stringify({
    chat: await streamed({ model: "hello", messages: QUESTION }),
    whole: { text: whole.message.content[0].text, finishReason: whole.finishReason, usage: whole.usage },
    tool: await streamed({ model: "tool-call", messages: QUESTION, tools: [WEATHER] }),
    rateLimited: await streamed({ model: "rate-limited", messages: QUESTION }, { maxRetries: 0 }),
    midstream: await streamed({ model: "midstream-error", messages: QUESTION }),
    toolLoop: await toolLoop(),
  }),
);
