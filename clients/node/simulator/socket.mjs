// wx.connectSocket over a real socket: a WebSocket client (RFC 6455) with WeChat's SocketTask shape.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };
/** The code a close without a close frame reports (RFC 6455 7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

/** Open a WebSocket to `options.url`; resolve the SocketTask at once (connection events follow). */
export function connectSocket(options, runtime) {
  const url = new URL(options.url);
  const secure = url.protocol === "wss:";
  const port = Number(url.port) || (secure ? 443 : 80);
  const key = randomBytes(16).toString("base64");
  const on = { open: [], message: [], close: [], error: [] };
  const emit = (kind, value) => on[kind].slice().forEach((fn) => runtime.call(fn, value));
  let state = "connecting";
  let pending = Buffer.alloc(0);
  let fragments = null;
  let closeSeen = null;
  let closed = false;

  const socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect({ host: url.hostname, port });
  socket.setNoDelay(true);
  runtime.started();
  socket.on(secure ? "secureConnect" : "connect", () => {
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Key: ${key}`, "Sec-WebSocket-Version: 13"];
    if (options.protocols?.length) lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(", ")}`);
    for (const [name, value] of Object.entries(options.header || {})) lines.push(`${name}: ${value}`);
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
  socket.on("data", (bytes) => {
    pending = Buffer.concat([pending, bytes]);
    try {
      if (state === "connecting") handshake();
      while (state !== "connecting" && readFrame());
    } catch (error) {
      fail(error.message);
    }
  });
  socket.on("error", (error) => fail(error.message));
  socket.on("close", () => end(closeSeen ?? { code: ABNORMAL_CLOSURE, reason: "" }));

  function handshake() {
    const end = pending.indexOf("\r\n\r\n");
    if (end < 0) return;
    const [statusLine, ...lines] = pending.subarray(0, end).toString("latin1").split("\r\n");
    pending = pending.subarray(end + 4);
    const header = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()]));
    const accept = Object.entries(header).find(([k]) => k.toLowerCase() === "sec-websocket-accept")?.[1];
    if (!/^HTTP\/1\.1 101/.test(statusLine)) throw new Error(`the server did not switch protocols: ${statusLine}`);
    if (accept !== createHash("sha1").update(key + GUID).digest("base64")) throw new Error("bad Sec-WebSocket-Accept");
    state = "open";
    runtime.call(options.success, { errMsg: "connectSocket:ok" });
    runtime.call(options.complete, { errMsg: "connectSocket:ok" });
    emit("open", { header, profile: {} });
  }

  /** Read one frame from `pending`; false when it is not all here yet. */
  function readFrame() {
    if (pending.length < 2) return false;
    const opcode = pending[0] & 0x0f;
    const fin = (pending[0] & 0x80) !== 0;
    const masked = (pending[1] & 0x80) !== 0;
    let length = pending[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (pending.length < 4) return false;
      length = pending.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (pending.length < 10) return false;
      length = Number(pending.readBigUInt64BE(2));
      at = 10;
    }
    const maskAt = at;
    if (masked) at += 4;
    if (pending.length < at + length) return false;
    const payload = Buffer.from(pending.subarray(at, at + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= pending[maskAt + (i % 4)];
    pending = pending.subarray(at + length);
    frame(opcode, fin, payload);
    return true;
  }

  function frame(opcode, fin, payload) {
    if (opcode === OP.ping) return write(OP.pong, payload);
    if (opcode === OP.pong) return undefined;
    if (opcode === OP.close) {
      closeSeen = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString("utf8") };
      if (state === "open") write(OP.close, payload.subarray(0, 2));
      state = "closing";
      return socket.end();
    }
    if (opcode !== OP.continuation) fragments = { opcode, parts: [] };
    if (!fragments) throw new Error("a continuation frame with no message to continue");
    fragments.parts.push(payload);
    if (!fin) return undefined;
    const whole = Buffer.concat(fragments.parts);
    const data = fragments.opcode === OP.text ? whole.toString("utf8") : whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength);
    fragments = null;
    return emit("message", { data });
  }

  /** Send one masked frame, as a client must. */
  function write(opcode, payload) {
    const mask = randomBytes(4);
    const size = payload.length;
    const head = size < 126 ? Buffer.from([0x80 | opcode, 0x80 | size]) : size < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (size >= 126 && size < 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(size, 2);
    } else if (size >= 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(size), 2);
    }
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
    socket.write(Buffer.concat([head, mask, body]));
  }

  function fail(message) {
    if (closed) return;
    if (state === "connecting") {
      runtime.call(options.fail, { errMsg: `connectSocket:fail ${message}` });
      runtime.call(options.complete, { errMsg: `connectSocket:fail ${message}` });
    }
    emit("error", { errMsg: message });
    socket.destroy();
  }

  function end(result) {
    if (closed) return;
    closed = true;
    state = "closed";
    emit("close", result);
    runtime.settled();
  }

  const reply = (opts, api, error) => {
    const result = { errMsg: error ? `${api}:fail ${error}` : `${api}:ok` };
    runtime.call(error ? opts?.fail : opts?.success, result);
    runtime.call(opts?.complete, result);
  };

  return {
    send(opts = {}) {
      if (state !== "open") return reply(opts, "sendSocketMessage", "WebSocket is not connected");
      const data = opts.data;
      const text = typeof data === "string";
      write(text ? OP.text : OP.binary, text ? Buffer.from(data, "utf8") : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data));
      return reply(opts, "sendSocketMessage");
    },
    close(opts = {}) {
      if (state !== "open") return reply(opts, "closeSocket", "WebSocket is not connected");
      const reason = Buffer.from(opts.reason ?? "", "utf8");
      const payload = Buffer.alloc(2 + reason.length);
      payload.writeUInt16BE(opts.code ?? 1000, 0);
      reason.copy(payload, 2);
      write(OP.close, payload);
      state = "closing";
      closeSeen = { code: opts.code ?? 1000, reason: opts.reason ?? "" };
      return reply(opts, "closeSocket");
    },
    onOpen: (fn) => on.open.push(fn),
    onMessage: (fn) => on.message.push(fn),
    onClose: (fn) => on.close.push(fn),
    onError: (fn) => on.error.push(fn),
  };
}
