// The answer text (and error) a user would see, read from a provider's stream or whole body of any shape:
// SSE `data:` lines or NDJSON lines of JSON, each searched at the text paths the known dialects use.

const pick = (value, path) => path.split(".").reduce((v, key) => (v == null ? undefined : v[key]), value);

/** The error a payload carries, as {code, msg}, or null. */
function errorOf(value, event) {
  if (value == null || typeof value !== "object") return null;
  const nested = value.error;
  if (typeof nested === "string") return { code: null, msg: nested };
  if (nested && typeof nested === "object") return { code: nested.code ?? nested.type ?? nested.status ?? null, msg: nested.message ?? nested.msg ?? "" };
  if (value.type === "error" || event === "error") return { code: value.code ?? null, msg: value.message ?? value.msg ?? value.errorText ?? "" };
  return null;
}

/** The text delta (or whole text) a payload carries. */
function textOf(value) {
  if (value == null || typeof value !== "object") return "";
  if (value.type === "response.output_text.delta" || value.type === "text-delta") return value.delta || "";
  if (value.type && String(value.type).startsWith("response.")) return "";
  const parts = pick(value, "candidates.0.content.parts");
  if (Array.isArray(parts)) return parts.map((p) => p.text || "").join("");
  for (const path of ["choices.0.delta.content", "choices.0.text", "choices.0.message.content", "delta.text", "message.content", "response", "content"]) {
    const found = pick(value, path);
    if (typeof found === "string") return found;
  }
  if (Array.isArray(value.content)) return value.content.map((c) => c.text || "").join("");
  if (Array.isArray(value.output)) return value.output.flatMap((o) => o.content || []).map((c) => c.text || "").join("");
  return "";
}

/** A reader of a provider body: push(text) as it arrives, end(); then .state.text, .state.error (and .state.body: a whole JSON body). */
export function createAnswerReader(contentType) {
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
    push(chunk) {
      buffer += chunk;
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
