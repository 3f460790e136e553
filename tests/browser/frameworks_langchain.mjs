// LangChain.js (@langchain/openai, @langchain/anthropic) against mockllm: streaming, a tool loop, structured output,
// a 429 and a mid-stream error. stdin: {url, headers}; stdout: one JSON object, one entry per chat model.
import { ChatAnthropic } from "@langchain/anthropic";
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { stdinJson } from "./reader.mjs";

const input = await stdinJson();
const headers = input.headers || {};
const Weather = z.object({ city: z.string(), temperature: z.number().int() });
const getWeather = tool(async ({ city }) => `${city}: sunny, 25°C`, {
  name: "get_weather",
  description: "The weather in a city.",
  schema: z.object({ city: z.string() }),
});
const models = {
  openai: (model) => new ChatOpenAI({ model, apiKey: "sk-unused", maxRetries: 0, configuration: { baseURL: `${input.url}/v1`, defaultHeaders: headers } }),
  anthropic: (model) => new ChatAnthropic({ model, apiKey: "sk-unused", maxRetries: 0, anthropicApiUrl: input.url, clientOptions: { defaultHeaders: headers } }),
};
const message = (error) => String(error?.message || error);

async function streamed(llm) {
  const seen = { text: "", chunks: 0, error: null };
  try {
    for await (const chunk of await llm.stream("hi")) {
      seen.text += typeof chunk.content === "string" ? chunk.content : chunk.content.map((part) => part.text || "").join("");
      seen.chunks += 1;
    }
  } catch (error) {
    seen.error = { name: error?.constructor?.name, status: error?.status ?? null, message: message(error) };
  }
  return seen;
}

async function toolLoop(llm) {
  const bound = llm.bindTools([getWeather]);
  const messages = [new HumanMessage("What is the weather in Beijing?")];
  const first = await bound.invoke(messages);
  const results = await Promise.all(first.tool_calls.map(async (call) => new ToolMessage({ content: await getWeather.invoke(call.args), tool_call_id: call.id })));
  const answer = await bound.invoke([...messages, first, ...results]);
  return { calls: first.tool_calls.map((call) => call.name), answer: typeof answer.content === "string" ? answer.content : JSON.stringify(answer.content) };
}

async function structured(llm, options) {
  try {
    return { object: await llm.withStructuredOutput(Weather, options).invoke("Weather in Beijing?") };
  } catch (error) {
    return { error: message(error) };
  }
}

async function failure(run) {
  try {
    return { value: await run() };
  } catch (error) {
    return { name: error?.constructor?.name, status: error?.status ?? null, message: message(error) };
  }
}

const out = {};
for (const [key, make] of Object.entries(models)) {
  out[key] = {
    text: await streamed(make("hello")),
    tools: await toolLoop(make(key === "openai" ? "gpt-4.1" : "claude-sonnet-4-5")),
    structured: await structured(make("hello")),
    functionCalling: await structured(make("hello"), { method: "functionCalling" }),
    rateLimit: await failure(() => make("rate-limited").invoke("hi")),
    midstream: await streamed(make("midstream-error")),
  };
}
console.log(JSON.stringify(out));
