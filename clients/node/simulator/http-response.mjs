// An incremental HTTP/1.1 response reader: feed it each socket read, get that read's body bytes back.
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

/** A response's head, then its body (chunked, Content-Length, or up to the close), read one socket read at a time. */
export class ResponseReader {
  constructor() {
    /** `{statusCode, header}` once the head is read. */
    this.head = null;
    this.pending = Buffer.alloc(0);
    this.mode = null;
    this.left = 0;
    this.state = "head";
  }

  /** Take one socket read; return the body bytes it carried (chunk-size lines removed). */
  feed(bytes) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    const out = [];
    while (this.pending.length > 0 && this.state !== "end" && this.step(out));
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Whether the body ended by its own framing (the last chunk, or Content-Length reached). */
  get ended() {
    return this.state === "end";
  }

  /** Whether the body is whole if the connection closes now. */
  get completeAtClose() {
    return this.ended || this.state === "body";
  }

  step(out) {
    switch (this.state) {
      case "head":
        return this.readHead();
      case "size":
        return this.readSize();
      case "data":
        return this.take(out);
      case "data-end":
        return this.expectCRLF("size");
      case "trailer":
        return this.readTrailer();
      default: // "body": everything up to the close
        out.push(this.pending);
        this.pending = Buffer.alloc(0);
        return true;
    }
  }

  readHead() {
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) return false;
    const [statusLine, ...lines] = this.pending.subarray(0, end).toString("latin1").split("\r\n");
    this.pending = this.pending.subarray(end + 4);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
    const header = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      header[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    this.head = { statusCode: Number(status[1]), header };
    const lower = Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]));
    if (/chunked/i.test(lower["transfer-encoding"] || "")) {
      this.mode = "chunked";
      this.state = "size";
    } else if (lower["content-length"] !== undefined) {
      this.mode = "length";
      this.left = Number(lower["content-length"]);
      this.state = this.left > 0 ? "data" : "end";
    } else {
      this.state = "body";
    }
    return true;
  }

  readSize() {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) return false;
    const size = parseInt(this.pending.subarray(0, end).toString("latin1").split(";")[0], 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line: ${this.pending.subarray(0, end)}`);
    this.pending = this.pending.subarray(end + 2);
    this.left = size;
    this.state = size === 0 ? "trailer" : "data";
    return true;
  }

  take(out) {
    const n = Math.min(this.left, this.pending.length);
    out.push(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    this.left -= n;
    if (this.left === 0) this.state = this.mode === "chunked" ? "data-end" : "end";
    return true;
  }

  expectCRLF(next) {
    if (this.pending.length < 2) return false;
    if (!this.pending.subarray(0, 2).equals(CRLF)) throw new Error("a chunk is not followed by CRLF");
    this.pending = this.pending.subarray(2);
    this.state = next;
    return true;
  }

  readTrailer() {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) return false;
    this.pending = this.pending.subarray(end + 2);
    if (end === 0) this.state = "end";
    return true;
  }
}

/** The request's bytes: request line, headers (Host, Content-Length and a JSON Content-Type filled in), body. */
export function requestBytes(url, method, header, data) {
  let body = Buffer.alloc(0);
  const headers = { ...header };
  const has = (name) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (data !== undefined && data !== null && method !== "GET" && method !== "HEAD") {
    if (typeof data === "string") body = Buffer.from(data, "utf8");
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) body = Buffer.from(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    else body = Buffer.from(JSON.stringify(data), "utf8");
    if (!has("content-type")) headers["Content-Type"] = "application/json";
  }
  const target = `${url.pathname}${url.search}${method === "GET" && data && typeof data === "object" ? queryOf(url, data) : ""}`;
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${url.host}`, "Connection: close"];
  if (body.length || (method !== "GET" && method !== "HEAD")) lines.push(`Content-Length: ${body.length}`);
  for (const [name, value] of Object.entries(headers)) {
    if (!["host", "content-length", "connection"].includes(name.toLowerCase())) lines.push(`${name}: ${value}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

/** GET data as a query string, as wx.request does (`encodeURIComponent(k)=encodeURIComponent(v)`). */
function queryOf(url, data) {
  const pairs = Object.entries(data).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === "object" ? JSON.stringify(v) : String(v))}`);
  if (!pairs.length) return "";
  return (url.search ? "&" : "?") + pairs.join("&");
}

/** A fresh ArrayBuffer holding exactly `bytes` (a Node Buffer may share a larger pool). */
export function arrayBufferOf(bytes) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
