// @google/genai and the AI SDK's @ai-sdk/google against a live server: stdin {"url": ...}; stdout one JSON object of results.
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { ApiError, GoogleGenAI } from "@google/genai";
import { jsonSchema, streamText, tool } from "ai";
import { stdinJson } from "./reader.mjs";

const { url } = await stdinJson();
const QUESTION = "你好，请介绍一下你自己。";
const CITY = { type: "object", properties: { city: { type: "string", enum: ["北京", "上海"] } }, required: ["city"] };
const genai = new GoogleGenAI({ apiKey: "mock-key", httpOptions: { baseUrl: url } });
const google = createGoogleGenerativeAI({ apiKey: "mock-key", baseURL: `${url}/v1beta` });
const weather = tool({ description: "Current weather of a city.", inputSchema: jsonSchema(CITY) });

async function caught(run) {
  const seen = { text: "" };
  try {
    await run(seen);
  } catch (error) {
    seen.error = { name: error.name, status: error.status ?? error.statusCode ?? null, message: String(error.message).slice(0, 2000) };
  }
  return seen;
}

async function genaiText(model, config) {
  return caught(async (seen) => {
    for await (const chunk of await genai.models.generateContentStream({ model, contents: QUESTION, config })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) seen.thoughts = (seen.thoughts ?? "") + part.text;
        else if (part.text) seen.text += part.text;
        if (part.functionCall) (seen.calls ??= []).push(part.functionCall);
      }
      seen.finishReason = chunk.candidates?.[0]?.finishReason ?? seen.finishReason;
    }
  });
}

async function genaiToolLoop() {
  const config = { tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: CITY }] }] };
  const question = { role: "user", parts: [{ text: "北京天气怎么样？" }] };
  const first = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: [question], config });
  const [call] = first.functionCalls;
  const result = { role: "user", parts: [{ functionResponse: { name: call.name, response: { result: "晴，25°C" } } }] };
  const answer = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: [question, first.candidates[0].content, result], config });
  return { call: call.name, answer: answer.text };
}

async function aiSdk(model, options = {}) {
  return caught(async (seen) => {
    const result = streamText({ model: google(model), prompt: QUESTION, maxRetries: 0, ...options, onError: ({ error }) => { throw error; } });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") seen.text += part.text;
      if (part.type === "reasoning-delta") seen.reasoning = (seen.reasoning ?? "") + part.text;
      if (part.type === "tool-call") (seen.calls ??= []).push({ name: part.toolName, input: part.input });
      if (part.type === "error") throw part.error;
      if (part.type === "finish") Object.assign(seen, { finishReason: part.finishReason, usage: part.totalUsage });
    }
  });
}

async function aiSdkRetries() {
  return caught(async (seen) => {
    const result = streamText({ model: google("fail-twice-then-succeed"), prompt: QUESTION, maxRetries: 2 });
    seen.text = await result.text;
  });
}

const results = {
  genai: {
    text: await genaiText("hello"),
    whole: (await genai.models.generateContent({ model: "hello", contents: QUESTION })).text,
    thoughts: await genaiText("think-then-answer", { thinkingConfig: { includeThoughts: true } }),
    tool: await genaiText("tool-call", { tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: CITY }] }] }),
    rateLimited: await genaiText("rate-limited"),
    midstream: await genaiText("midstream-error"),
    toolLoop: await genaiToolLoop(),
    apiErrorClass: ApiError.name,
  },
  aiSdk: {
    text: await aiSdk("hello"),
    reasoning: await aiSdk("think-then-answer", { providerOptions: { google: { thinkingConfig: { includeThoughts: true } } } }),
    tool: await aiSdk("tool-call", { tools: { get_weather: weather } }),
    rateLimited: await aiSdk("rate-limited"),
    midstream: await aiSdk("midstream-error"),
    filtered: await aiSdk("content-filter"),
    retries: await aiSdkRetries(),
  },
};
console.log(JSON.stringify(results));
