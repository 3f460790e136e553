// The ollama JavaScript client against a live server: stdin {"url": ...}; stdout one JSON object of results.
import { Ollama } from "ollama";
import { stdinJson } from "./reader.mjs";

const { url } = await stdinJson();
const ollama = new Ollama({ host: url });
const QUESTION = [{ role: "user", content: "你好，请介绍一下你自己。" }];
const WEATHER = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string", enum: ["北京", "上海"] } }, required: ["city"] } },
};

async function streamed(request) {
  const seen = { content: "", thinking: "", calls: [] };
  try {
    for await (const part of await ollama.chat({ ...request, stream: true })) {
      seen.content += part.message.content;
      seen.thinking += part.message.thinking ?? "";
      seen.calls.push(...(part.message.tool_calls ?? []));
      if (part.done) Object.assign(seen, { doneReason: part.done_reason, evalCount: part.eval_count, totalDuration: part.total_duration });
    }
  } catch (error) {
    seen.error = { name: error.name, status: error.status_code ?? null, message: error.message };
  }
  return seen;
}

async function toolLoop() {
  const messages = [{ role: "user", content: "北京天气怎么样？" }];
  const first = await ollama.chat({ model: "llama3.2", messages, tools: [WEATHER] });
  const [call] = first.message.tool_calls;
  messages.push(first.message, { role: "tool", content: "晴，25°C", tool_name: call.function.name });
  const answer = await ollama.chat({ model: "llama3.2", messages, tools: [WEATHER] });
  return { call: call.function.name, answer: answer.message.content };
}

const generated = await ollama.generate({ model: "hello", prompt: "你好" });
console.log(
  JSON.stringify({
    chat: await streamed({ model: "hello", messages: QUESTION }),
    thinking: await streamed({ model: "think-then-answer", messages: QUESTION, think: true }),
    tool: await streamed({ model: "tool-call", messages: QUESTION, tools: [WEATHER] }),
    rateLimited: await streamed({ model: "rate-limited", messages: QUESTION }),
    midstream: await streamed({ model: "midstream-error", messages: QUESTION }),
    generate: { response: generated.response, done: generated.done },
    toolLoop: await toolLoop(),
    models: (await ollama.list()).models.map((model) => model.name),
    version: (await ollama.version()).version,
  }),
);
