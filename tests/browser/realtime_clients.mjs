// The Node openai SDK's Realtime client (OpenAIRealtimeWS, on the `ws` package) talks to a live server's
// GET /v1/realtime. The SDK always builds a wss: URL, so the socket is opened over plain TCP with `ws`'s
// `createConnection` option, as a TLS-terminating proxy in front of the server would.
// stdin: {"url": "http://127.0.0.1:PORT"}; stdout: one JSON object of what each session saw.
import net from "node:net";
import OpenAI from "openai";
import { OpenAIRealtimeWS } from "openai/realtime/ws";
import { stdinJson } from "./reader.mjs";

const { url } = await stdinJson();
const baseURL = `${url}/v1`;
const client = new OpenAI({ baseURL, apiKey: "sk-unused" });
const plainTcp = { createConnection: (options) => net.connect({ host: options.host, port: Number(options.port) }) };
const weather = { type: "object", properties: { city: { type: "string", enum: ["北京", "上海"] } }, required: ["city"] };
const tools = [{ type: "function", name: "get_weather", description: "Current weather of a city.", parameters: weather }];

/** Open a session on `model` and resolve once the server's session.created arrived. */
function open(model, headers = {}) {
  const rt = new OpenAIRealtimeWS({ model, options: { ...plainTcp, headers: { "X-Mock-Seed": "7", ...headers } } }, client);
  const seen = { types: [], errors: [] };
  rt.on("event", (event) => seen.types.push(event.type));
  rt.on("error", (error) => seen.errors.push({ message: error.message, code: error.error?.code ?? null, type: error.error?.type ?? null }));
  return new Promise((resolve, reject) => {
    rt.socket.once("error", reject);
    rt.once("session.created", (event) => resolve({ rt, seen, session: event.session }));
  });
}

/** Send `events`, then resolve with the next response.done. */
function respond(rt, events) {
  return new Promise((resolve) => {
    rt.once("response.done", (event) => resolve(event.response));
    for (const event of events) rt.send(event);
  });
}

function userText(text) {
  return { type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } };
}

async function text() {
  const { rt, seen, session } = await open("hello");
  let deltas = "";
  rt.on("response.output_text.delta", (event) => (deltas += event.delta));
  const response = await respond(rt, [
    { type: "session.update", session: { type: "realtime", output_modalities: ["text"] } },
    userText("你好"),
    { type: "response.create" },
  ]);
  rt.close();
  return { deltas, status: response.status, output: response.output[0].content[0].text, usage: response.usage, defaultModalities: session.output_modalities, types: seen.types, errors: seen.errors };
}

async function functionCallRoundTrip() {
  const { rt, seen } = await open("gpt-realtime");
  let argumentDeltas = 0;
  rt.on("response.function_call_arguments.delta", () => argumentDeltas++);
  const setup = { type: "session.update", session: { type: "realtime", output_modalities: ["text"], tools } };
  const first = await respond(rt, [setup, userText("北京天气怎么样？"), { type: "response.create" }]);
  const call = first.output.find((item) => item.type === "function_call");
  let answer = "";
  rt.on("response.output_text.delta", (event) => (answer += event.delta));
  const output = JSON.stringify({ city: "北京", weather: "晴" });
  const second = await respond(rt, [{ type: "conversation.item.create", item: { type: "function_call_output", call_id: call.call_id, output } }, { type: "response.create" }]);
  rt.close();
  return { call: { name: call.name, args: JSON.parse(call.arguments), status: call.status }, argumentDeltas, firstStatus: first.status, answer, secondStatus: second.status, errors: seen.errors };
}

async function error() {
  const { rt, seen } = await open("rate-limited");
  const response = await respond(rt, [{ type: "response.create" }]);
  rt.close();
  return { status: response.status, details: response.status_details, errors: seen.errors, types: seen.types };
}

async function audio() {
  const { rt, seen } = await open("hello");
  let transcript = "";
  let pcmBytes = 0;
  rt.on("response.output_audio_transcript.delta", (event) => (transcript += event.delta));
  rt.on("response.output_audio.delta", (event) => (pcmBytes += Buffer.from(event.delta, "base64").length));
  const response = await respond(rt, [userText("你好"), { type: "response.create" }]);
  rt.close();
  return { transcript, pcmBytes, status: response.status, content: response.output[0].content[0], audioTokens: response.usage.output_token_details.audio_tokens, errors: seen.errors };
}

console.log(JSON.stringify({ text: await text(), functionCall: await functionCallRoundTrip(), error: await error(), audio: await audio() }));
