// The AI SDK's Bedrock and Vertex providers against a live server: stdin {"url": ...}; stdout one JSON object of results.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { createBedrockAnthropic } from "@ai-sdk/amazon-bedrock/anthropic";
import { createVertex } from "@ai-sdk/google-vertex";
import { createVertexAnthropic } from "@ai-sdk/google-vertex/anthropic";
import { jsonSchema, streamText, tool } from "ai";
import { stdinJson } from "./reader.mjs";

const { url } = await stdinJson();
const QUESTION = "你好，请介绍一下你自己。";
const CITY = { type: "object", properties: { city: { type: "string", enum: ["北京", "上海"] } }, required: ["city"] };
const weather = tool({ description: "Current weather of a city.", inputSchema: jsonSchema(CITY) });
const credentials = { region: "us-east-1", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "mock-secret" };
const bedrock = createAmazonBedrock({ baseURL: url, ...credentials });
const bedrockAnthropic = createBedrockAnthropic({ baseURL: url, ...credentials });
const vertex = createVertex({ apiKey: "mock-key", baseURL: `${url}/v1beta1/projects/p/locations/us-central1/publishers/google` });
const vertexAnthropic = createVertexAnthropic({
  baseURL: `${url}/v1/projects/p/locations/us-east5/publishers/anthropic/models`,
  generateAuthToken: async () => "mock-token",
});

async function stream(model, options = {}) {
  const seen = { text: "" };
  try {
    const result = streamText({ model, prompt: QUESTION, maxRetries: 0, ...options, onError: ({ error }) => { throw error; } });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") seen.text += part.text;
      if (part.type === "reasoning-delta") seen.reasoning = (seen.reasoning ?? "") + part.text;
      if (part.type === "tool-call") (seen.calls ??= []).push({ name: part.toolName, input: part.input });
      if (part.type === "error") throw part.error;
      if (part.type === "finish") Object.assign(seen, { finishReason: part.finishReason, usage: part.totalUsage });
    }
  } catch (error) {
    seen.error = { name: error.name, status: error.status ?? error.statusCode ?? null, message: String(error.message).slice(0, 2000) };
  }
  return seen;
}

const results = {
  bedrock: {
    text: await stream(bedrock("hello")),
    inferenceProfile: await stream(bedrock("us.anthropic.claude-sonnet-4-20250514-v1:0")),
    reasoning: await stream(bedrock("think-then-answer")),
    tool: await stream(bedrock("tool-call"), { tools: { get_weather: weather } }),
    rateLimited: await stream(bedrock("rate-limited")),
    midstream: await stream(bedrock("midstream-error")),
  },
  bedrockAnthropic: {
    text: await stream(bedrockAnthropic("hello")),
    tool: await stream(bedrockAnthropic("tool-call"), { tools: { get_weather: weather } }),
    midstream: await stream(bedrockAnthropic("midstream-error")),
  },
  vertex: {
    text: await stream(vertex("hello")),
    rateLimited: await stream(vertex("rate-limited")),
  },
  vertexAnthropic: {
    text: await stream(vertexAnthropic("hello")),
    tool: await stream(vertexAnthropic("tool-call"), { tools: { get_weather: weather } }),
  },
};
process.stdout.write(JSON.stringify(results));
