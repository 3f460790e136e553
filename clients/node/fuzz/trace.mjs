// What a handler does with one delivery: its callback trace (text, codes, done, what it threw), comparable across deliveries.
import { createWx } from "../simulator/index.mjs";

/** The reader factory a handler module exports: `createReader`, or the reference client's `createChunkReader`. */
export function readerFactory(module, file) {
  const found = [module, module.default].filter(Boolean).map((m) => m.createReader ?? m.createChunkReader).find((f) => typeof f === "function");
  if (!found) throw new TypeError(`${file} exports no createReader({onText, onError, onDone}) (nor createChunkReader)`);
  return found;
}

const thrown = (error) => ({ type: "throw", name: error?.name ?? "Error", message: String(error?.message ?? error) });

/** Adjacent text events joined, so a delivery that cuts a delta in two reads the same as one that does not. */
export function normalize(events) {
  const out = [];
  for (const event of events) {
    const last = out[out.length - 1];
    if (event.type === "text" && last?.type === "text") last.text += event.text;
    else out.push({ ...event });
  }
  return out;
}

/** The reader's trace when its reads are `chunks`: each push's throw is recorded and the next read still comes, as on a device. */
export function readerTrace(createReader, chunks, framing) {
  const events = [];
  let reader;
  try {
    reader = createReader({
      framing,
      onText: (text) => events.push({ type: "text", text: String(text) }),
      onError: (error) => events.push({ type: "error", code: error?.code ?? null, msg: error?.msg ?? error?.message ?? "" }),
      onDone: () => events.push({ type: "done" }),
    });
  } catch (error) {
    return [thrown(error)];
  }
  for (const chunk of chunks) {
    try {
      reader.push(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
    } catch (error) {
      events.push(thrown(error));
    }
  }
  try {
    reader.end?.();
  } catch (error) {
    events.push(thrown(error));
  }
  return normalize(events);
}

/**
 * A page's trace when its request is answered with `chunks`: `ask(wx, question)` runs against a simulated
 * wx whose request replays them; the trace is its UI calls, what its callbacks threw, and what ask resolved.
 */
export async function pageTrace(ask, answer, chunks, question, timeoutMs) {
  const wx = createWx({ quiet: true, respond: () => ({ ...answer, chunks }) });
  let result;
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve({ timeout: `ask did not settle within ${timeoutMs} ms` }), timeoutMs)));
  try {
    result = await Promise.race([Promise.resolve(ask(wx, question)).then((value) => ({ value })), late]);
    if (!result.timeout) await Promise.race([wx.$idle(), late]);
  } catch (error) {
    result = { rejected: thrown(error) };
  } finally {
    clearTimeout(timer);
  }
  return [...wx.$calls.map((call) => ({ type: "ui", ...call })), ...wx.$errors.map(thrown), { type: "result", ...jsonSafe(result) }];
}

function jsonSafe(value) {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) ?? {};
  } catch {
    return { value: String(value) };
  }
}

export const sameTrace = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** One line per event, for a person. */
export function describeTrace(trace) {
  return trace.map((e) => {
    if (e.type === "text") return `text ${JSON.stringify(e.text.length > 60 ? `${e.text.slice(0, 57)}...` : e.text)}`;
    if (e.type === "error") return `error code ${JSON.stringify(e.code)} ${JSON.stringify(e.msg)}`;
    if (e.type === "throw") return `threw ${e.name}: ${JSON.stringify(e.message)}`;
    if (e.type === "ui") {
      const { type, api, ...rest } = e;
      return `${api} ${JSON.stringify(rest)}`;
    }
    if (e.type === "result") {
      const { type, ...rest } = e;
      return `result ${JSON.stringify(rest)}`;
    }
    return e.type;
  });
}
