// The other OpenAI routes as openai-node sees them. stdin: {baseURL, headers}; stdout: one JSON object.
//   completion / completionStream: legacy completions whole and streamed (text joined)
//   embedding: embeddings with the SDK's default (base64, decoded by the SDK): length and norm
//   azureChat / azureStream / azureEmbedding: the same through AzureOpenAI with an api-version
import OpenAI, { AzureOpenAI } from "openai";
import { stdinJson } from "./reader.mjs";

const { baseURL, headers } = await stdinJson();
const options = { apiKey: "sk-unused", maxRetries: 0, defaultHeaders: headers };
const openai = new OpenAI({ ...options, baseURL: `${baseURL}/v1` });
const azure = new AzureOpenAI({ ...options, endpoint: baseURL, apiVersion: "2024-10-21" });

const joined = async (stream, pick) => {
  let text = "";
  for await (const chunk of stream) text += chunk.choices.map(pick).join("");
  return text;
};
const vector = (result) => {
  const values = result.data[0].embedding;
  return { length: values.length, norm: Math.sqrt(values.reduce((sum, x) => sum + x * x, 0)), first: values[0] };
};

const completion = (await openai.completions.create({ model: "hello", prompt: "hi" })).choices[0].text;
const completionStream = await joined(await openai.completions.create({ model: "hello", prompt: "hi", stream: true }), (c) => c.text);
const embedding = vector(await openai.embeddings.create({ model: "text-embedding-3-small", input: "你好" }));
const messages = [{ role: "user", content: "hi" }];
const azureChat = (await azure.chat.completions.create({ model: "hello", messages })).choices[0].message.content;
const azureStream = await joined(await azure.chat.completions.create({ model: "hello", messages, stream: true }), (c) => c.delta.content || "");
const azureFinal = (await azure.chat.completions.stream({ model: "hello", messages }).finalChatCompletion()).choices[0].message.content;
const azureEmbedding = vector(await azure.embeddings.create({ model: "text-embedding-3-small", input: "你好" }));

console.log(JSON.stringify({ completion, completionStream, embedding, azureChat, azureStream, azureFinal, azureEmbedding }));
