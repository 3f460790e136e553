// The answer text (and error) a user would see, read from a provider's stream or whole body of any shape:
// SSE `data:` lines or NDJSON lines of JSON, each searched at the text paths the known dialects use.

const pick = (value, path) => path.split(".").reduce((v, key) => (v == null ? undefined : v[key]), value);

/** The error a payload carries, as {code, msg}, or null. */
function errorOf(value, event) {
  if (value == null || typeof value !== "object") return null;
  const nested = value.error;
  if (typeof nested === "string") return { code: null, msg: nested };
  if (nested && typeof nested === "object") return { code: nested.code ?? nested.type ?? nested.status ?? null, msg: nested.message ?? nested.msg ?? "" };
  const ended = pick(value, "delta.error"); // Cohere: a message-end with finish_reason ERROR
  if (typeof ended === "string") return { code: pick(value, "delta.finish_reason") ?? null, msg: ended };
  if (value.type === "error" || event === "error") return { code: value.code ?? null, msg: value.message ?? value.msg ?? value.errorText ?? "" };
  return null;
}

/** The text delta (or whole text) a payload carries. */
function textOf(value) {
  if (value == null || typeof value !== "object") return "";
  if (value.type === "response.output_text.delta" || value.type === "text-delta") return value.delta || "";
  if (value.type && String(value.type).startsWith("response.")) return "";
  const cohere = pick(value, "delta.message.content.text"); // Cohere's content-delta
  if (typeof cohere === "string") return cohere;
  const parts = pick(value, "candidates.0.content.parts");
  if (Array.isArray(parts)) return parts.map((p) => p.text || "").join("");
  for (const path of ["choices.0.delta.content", "choices.0.text", "choices.0.message.content", "delta.text", "message.content", "response", "content"]) {
    const found = pick(value, path);
    if (typeof found === "string") return found;
  }
  if (Array.isArray(value.content)) return value.content.map((c) => c.text || "").join("");
  const message = pick(value, "message.content"); // Cohere's whole answer
  if (Array.isArray(message)) return message.map((c) => c.text || "").join("");
  const converse = pick(value, "output.message.content");
  if (Array.isArray(converse)) return converse.map((c) => c.text || "").join("");
  if (Array.isArray(value.output)) return value.output.flatMap((o) => o.content || []).map((c) => c.text || "").join("");
  return "";
}

/** The messages of AWS event-stream bytes (Bedrock): [{headers, payload}] of the whole ones, and the bytes left over. */
export function eventStreamMessages(bytes) {
  const messages = [];
  let at = 0;
  while (bytes.length - at >= 12) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    if (bytes.length - at < total) break;
    const headers = {};
    for (let h = 12; h < 12 + headersLength; ) {
      const name = new TextDecoder().decode(bytes.subarray(at + h + 1, at + h + 1 + bytes[at + h]));
      h += 1 + bytes[at + h] + 1; // name, then the value type (7: a string)
      const length = view.getUint16(h);
      headers[name] = new TextDecoder().decode(bytes.subarray(at + h + 2, at + h + 2 + length));
      h += 2 + length;
    }
    messages.push({ headers, payload: new TextDecoder().decode(bytes.subarray(at + 12 + headersLength, at + total - 4)) });
    at += total;
  }
  return { messages, rest: bytes.subarray(at) };
}

/** The JSON a Bedrock message carries: an event's payload, the Anthropic event inside a `chunk`, an exception as an error. */
function eventStreamValue({ headers, payload }) {
  const value = JSON.parse(payload);
  if (headers[":message-type"] === "exception") return { error: { code: headers[":exception-type"], message: value.message } };
  if (headers[":event-type"] === "chunk") return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(value.bytes), (c) => c.charCodeAt(0))));
  return value;
}

/** A reader of a provider body: pushBytes(bytes) as they arrive, end(); then .state.text, .state.error (and .state.body: a whole JSON body). */
export function createAnswerReader(contentType) {
  if (/vnd\.amazon\.eventstream/i.test(contentType || "")) return eventStreamReader();
  const decoder = new TextDecoder();
  const whole = !/event-stream|ndjson|jsonl/i.test(contentType || "");
  const state = { text: "", error: null, body: "" };
  let buffer = "";
  let event = null;
  const line = (raw) => {
    const text = raw.replace(/\r$/, "");
    if (text === "") return void (event = null);
    if (text.startsWith("event:")) return void (event = text.slice(6).trim());
    const payload = text.startsWith("data:") ? text.slice(5).trimStart() : text.startsWith("{") ? text : null;
    if (payload === null || payload === "[DONE]") return;
    let value;
    try {
      value = JSON.parse(payload);
    } catch {
      return;
    }
    state.error = state.error || errorOf(value, event);
    state.text += textOf(value);
  };
  return {
    state,
    pushBytes(bytes) {
      buffer += decoder.decode(bytes, { stream: true });
      if (whole) return;
      const lines = buffer.split("\n");
      buffer = lines.pop();
      lines.forEach(line);
    },
    end() {
      if (!whole) return buffer && line(buffer);
      try {
        const value = JSON.parse(buffer);
        state.error = errorOf(value, null);
        state.text = textOf(value);
        state.body = JSON.stringify(value, null, 2); // for answers without text: embeddings, token counts
      } catch {
        state.text = buffer;
      }
    },
  };
}

/** The reader of an AWS event-stream body: each whole message read as it completes. */
function eventStreamReader() {
  const state = { text: "", error: null, body: "" };
  let held = new Uint8Array(0);
  return {
    state,
    pushBytes(bytes) {
      const joined = new Uint8Array(held.length + bytes.length);
      joined.set(held);
      joined.set(bytes, held.length);
      const { messages, rest } = eventStreamMessages(joined);
      held = rest.slice();
      for (const message of messages) {
        const value = eventStreamValue(message);
        state.error = state.error || errorOf(value, null);
        state.text += textOf(value);
      }
    },
    end() {},
  };
}
