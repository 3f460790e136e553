// What the Try panel can call and how: every app framing, the routes map, and every provider route the server
// registers (from GET /_mock/dialects), each with the request body its dialect reads; plus the curl line.

const PARAMS = { model: "mock-model", path: "chat" };

/** A route's path with its parameters filled in: `/v1beta/models/{model}:generateContent` → `…/mock-model:generateContent`. */
export function fillPath(path) {
  return path.replace(/\{([a-zA-Z_]+)(:[^}]*)?\}/g, (_, name) => PARAMS[name] || "mock");
}

/** The targets the page offers, grouped: [{group, label, path, framing | dialect}]. */
export function targets(dialects) {
  const out = [];
  for (const framing of dialects.framings) {
    out.push({ group: "App framings", label: `${framing.name}${framing.custom ? " (custom)" : ""} · /${framing.name}/chat`, path: `/${framing.name}/chat`, framing: framing.name, extends: framing.extends });
  }
  for (const route of dialects.routes_map) {
    if (route.methods.includes("POST")) out.push({ group: "Routes map", label: `${route.path} → ${route.framing}`, path: route.path, framing: route.framing });
  }
  for (const dialect of dialects.dialects) {
    for (const route of dialect.routes) {
      const [method, path] = route.split(" ");
      if (method === "POST") out.push({ group: "Provider routes", label: `${dialect.name} · ${path}`, path: fillPath(path), dialect: dialect.name });
    }
  }
  return out;
}

/** The JSON body a target's dialect reads, for one user prompt. */
export function bodyFor(target, prompt, stream = true) {
  const messages = [{ role: "user", content: prompt }];
  const path = target.path;
  if (target.framing === "ai-sdk") return { id: "playground", messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: prompt }] }], trigger: "submit-message" };
  if (target.framing) return { message: prompt, stream };
  if (/:(streamGenerateContent|generateContent|countTokens)$/i.test(path)) return { contents: [{ role: "user", parts: [{ text: prompt }] }] };
  if (/:embedContent$/i.test(path)) return { content: { parts: [{ text: prompt }] } };
  if (/:batchEmbedContents$/i.test(path)) return { requests: [{ model: `models/${PARAMS.model}`, content: { parts: [{ text: prompt }] } }] };
  if (/\/converse(-stream)?$/.test(path)) return { messages: [{ role: "user", content: [{ text: prompt }] }] };
  if (/\/invoke(-with-response-stream)?$/.test(path)) return { anthropic_version: "bedrock-2023-05-31", max_tokens: 1024, messages };
  if (/\/count-tokens:rawPredict$/.test(path)) return { anthropic_version: "vertex-2023-10-16", model: "mock-model", messages };
  if (/:(streamRawPredict|rawPredict)$/.test(path)) return { anthropic_version: "vertex-2023-10-16", max_tokens: 1024, stream: path.endsWith(":streamRawPredict"), messages };
  if (path.endsWith("/messages")) return { model: "mock-model", max_tokens: 1024, stream, messages };
  if (path.endsWith("/responses")) return { model: "mock-model", input: prompt, stream };
  if (path.endsWith("/embeddings")) return { model: "mock-model", input: prompt };
  if (path.endsWith("/completions") && !path.endsWith("/chat/completions")) return { model: "mock-model", prompt, stream };
  if (path.endsWith("/api/generate")) return { model: "mock-model", prompt, stream };
  return { model: "mock-model", stream, messages };
}

/** The URL to call: Gemini streams over SSE only with `?alt=sse`; Azure deployment routes need an `api-version`. */
export function urlFor(target) {
  if (/:streamGenerateContent$/i.test(target.path)) return `${target.path}?alt=sse`;
  if (target.path.startsWith("/openai/deployments/")) return `${target.path}?api-version=2024-10-21`;
  return target.path;
}

/** `key=value,…` for X-Mock-Wire from the form's wire fields (empty ones left out). */
export function wireOptions(form) {
  const names = ["split_utf8", "frames_per_write", "max_write_bytes", "gap_ms", "line_ending", "heartbeat_ms"];
  return names.map((name) => [name, form.elements[name].value.trim()]).filter(([, v]) => v !== "").map(([k, v]) => `${k}=${v}`).join(",");
}

/** The X-Mock-* headers of the form's choices. */
export function mockHeaders({ scenario, speed, seed, wire, session }) {
  const headers = {};
  if (scenario) headers["X-Mock-Scenario"] = scenario;
  if (session) headers["X-Mock-Session"] = session;
  if (speed !== "") headers["X-Mock-Speed"] = speed;
  if (seed !== "") headers["X-Mock-Seed"] = seed;
  if (wire) headers["X-Mock-Wire"] = wire;
  return headers;
}

const quote = (text) => `'${String(text).replace(/'/g, `'\\''`)}'`;

/** A curl line that replays a request: -N so it prints each read as it arrives. */
export function curlLine(url, headers, body) {
  const parts = ["curl -N", quote(new URL(url, location.href).href)];
  for (const [name, value] of Object.entries(headers)) parts.push("-H", quote(`${name}: ${value}`));
  if (body !== undefined) parts.push("--data-raw", quote(typeof body === "string" ? body : JSON.stringify(body)));
  return parts.join(" ");
}

/**
 * Fetch `url` and record every read of its body as it arrives: {t (ms since the request started), bytes}.
 * `on.headers(response)` and `on.read(read)` are called as things happen. Resolves (never rejects) to
 * {response, reads, error, elapsed}.
 */
export async function record(url, init, on = {}) {
  const started = performance.now();
  const recording = { response: null, reads: [], error: null, elapsed: 0 };
  try {
    recording.response = await fetch(url, init);
    on.headers?.(recording.response);
    const reader = recording.response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const read = { t: performance.now() - started, bytes: value };
      recording.reads.push(read);
      on.read?.(read);
    }
  } catch (error) {
    recording.error = `${error.name}: ${error.message}`;
  }
  recording.elapsed = performance.now() - started;
  return recording;
}
