// wx.request over a real socket: one onChunkReceived per socket read (as a device profile groups them),
// success/fail/complete with WeChat's errMsg, abort(), timeouts.
import net from "node:net";
import tls from "node:tls";

import { readGrouper } from "./device.mjs";
import { ResponseReader, arrayBufferOf, requestBytes } from "./http-response.mjs";

export const DEFAULT_TIMEOUT_MS = 60000;

/** Listeners of one kind, each call guarded: a throwing page callback is reported, as the runtime does, not fatal. */
function listeners(runtime) {
  const list = [];
  return {
    add: (fn) => list.push(fn),
    remove: (fn) => {
      if (fn === undefined) list.length = 0;
      else if (list.includes(fn)) list.splice(list.indexOf(fn), 1);
    },
    emit: (value) => list.slice().forEach((fn) => runtime.call(fn, value)),
  };
}

/**
 * Start one request. `runtime`: {device, timeout, respond, call(fn, value)} from the simulator.
 * Returns the RequestTask: abort, on/offHeadersReceived, on/offChunkReceived.
 */
export function startRequest(options, runtime) {
  const method = (options.method || "GET").toUpperCase();
  const chunked = Boolean(options.enableChunked);
  const headers = listeners(runtime);
  const chunks = listeners(runtime);
  const grouper = readGrouper(runtime.device);
  const whole = [];
  let head = null;
  let finished = false;
  let source = null;

  const task = {
    abort: () => finish({ errMsg: "request:fail abort" }),
    onHeadersReceived: headers.add,
    offHeadersReceived: headers.remove,
    onChunkReceived: chunks.add,
    offChunkReceived: chunks.remove,
  };

  const deliver = (payloads) => {
    for (const payload of payloads) chunks.emit({ data: arrayBufferOf(payload) });
  };

  function finish(failure) {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    source?.close();
    if (chunked && failure?.errMsg !== "request:fail abort") deliver(grouper.end()); // what arrived, even before a failure
    const result = failure ?? success();
    runtime.call(failure ? options.fail : options.success, result);
    runtime.call(options.complete, result);
    runtime.settled();
  }

  function success() {
    const body = Buffer.concat(whole);
    return { data: responseData(options, chunked ? Buffer.alloc(0) : body), statusCode: head.statusCode, header: head.header, cookies: cookiesOf(head.header), errMsg: "request:ok" };
  }

  const events = {
    head(received) {
      head = received;
      headers.emit({ header: head.header, statusCode: head.statusCode, cookies: cookiesOf(head.header) });
    },
    body(bytes) {
      if (finished || bytes.length === 0) return;
      if (chunked) deliver(grouper.push(bytes));
      else whole.push(bytes);
    },
    end(complete) {
      finish(head && complete ? null : { errMsg: head ? "request:fail interrupted: the response ended early" : "request:fail the connection closed before a response" });
    },
    error(error) {
      finish({ errMsg: `request:fail ${error.message}` });
    },
  };

  const timeoutMs = options.timeout ?? runtime.timeout ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => finish({ errMsg: "request:fail timeout" }), timeoutMs);
  runtime.started();
  try {
    const url = new URL(options.url);
    source = runtime.respond ? replay(runtime.respond, { ...options, method }, events) : network(url, method, options, events);
  } catch (error) {
    queueMicrotask(() => events.error(error));
  }
  return task;
}

/** Read the answer from a real socket: each socket read's body bytes go to `events.body`. */
function network(url, method, options, events) {
  const secure = url.protocol === "https:";
  const port = Number(url.port) || (secure ? 443 : 80);
  const socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect({ host: url.hostname, port });
  const reader = new ResponseReader();
  socket.setNoDelay(true);
  socket.on(secure ? "secureConnect" : "connect", () => socket.write(requestBytes(url, method, options.header || {}, options.data)));
  socket.on("data", (bytes) => {
    const hadHead = reader.head !== null;
    let body;
    try {
      body = reader.feed(bytes);
    } catch (error) {
      events.error(error);
      return;
    }
    if (!hadHead && reader.head) events.head(reader.head);
    events.body(body);
    if (reader.ended) events.end(true);
  });
  socket.on("end", () => events.end(reader.completeAtClose));
  socket.on("close", () => events.end(reader.completeAtClose));
  socket.on("error", (error) => events.error(error));
  return { close: () => socket.destroy() };
}

/** Answer from `respond(request)` → {statusCode, header, chunks}: each chunk is one read, each on its own turn of the event loop. */
function replay(respond, request, events) {
  let closed = false;
  const answer = respond(request);
  const chunks = (answer.chunks || []).map((c) => Buffer.from(c.buffer ? new Uint8Array(c.buffer, c.byteOffset, c.byteLength) : new Uint8Array(c)));
  const steps = [() => events.head({ statusCode: answer.statusCode ?? 200, header: answer.header ?? {} }), ...chunks.map((c) => () => events.body(c)), () => events.end(answer.complete !== false)];
  const next = () => {
    if (closed || !steps.length) return;
    steps.shift()();
    setImmediate(next);
  };
  setImmediate(next);
  return { close: () => (closed = true) };
}

/** `success`'s data: the body as text (JSON-parsed when dataType is json and it parses) or an ArrayBuffer. */
function responseData(options, body) {
  if (options.responseType === "arraybuffer") return arrayBufferOf(body);
  const text = body.toString("utf8");
  if ((options.dataType ?? "json") !== "json" || text === "") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function cookiesOf(header) {
  return Object.entries(header).filter(([name]) => name.toLowerCase() === "set-cookie").map(([, value]) => value);
}
