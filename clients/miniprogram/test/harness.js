'use strict';
/*
 * A wx.request look-alike for Node tests, over a raw socket.
 *
 * It writes the HTTP/1.1 request by hand, reads the response head, removes the
 * chunked transfer encoding incrementally, and calls onChunkReceived({data})
 * once per socket read with that read's payload bytes as an ArrayBuffer — what
 * a mini-program runtime delivers with enableChunked. A read that carries only
 * chunk-size lines gives no call. `task.reads` lists each read's raw byte count
 * and `task.chunks` each delivered payload, for tests to look at.
 */
const net = require('node:net');

const CRLF = Buffer.from('\r\n');

/** Incremental HTTP/1.1 response reader: head, then body (chunked, Content-Length or to close). */
class ResponseReader {
  constructor() {
    this.head = null;
    this._pending = Buffer.alloc(0);
    this._mode = null;
    this._left = 0; // bytes left in the current chunk or the Content-Length body
    this._state = 'head';
  }

  /** Feed one socket read; return the body payload bytes it carried. */
  feed(bytes) {
    this._pending = Buffer.concat([this._pending, bytes]);
    const out = [];
    let progress = true;
    while (progress && this._pending.length > 0 && this._state !== 'end') {
      progress = this._step(out);
    }
    return Buffer.concat(out);
  }

  /** Whether the body has ended by its own framing (last chunk, or Content-Length reached). */
  get ended() {
    return this._state === 'end';
  }

  /** Whether the body is complete once the connection closes. */
  get completeAtClose() {
    return this.ended || this._state === 'body';
  }

  _step(out) {
    switch (this._state) {
      case 'head':
        return this._readHead();
      case 'size':
        return this._readSize();
      case 'data':
        return this._take(out, this._mode === 'chunked' ? 'data-end' : 'end');
      case 'data-end':
        return this._expectCRLF('size');
      case 'trailer':
        return this._readTrailer();
      case 'body':
        out.push(this._pending);
        this._pending = Buffer.alloc(0);
        return true;
      default:
        throw new Error(`bad state ${this._state}`);
    }
  }

  _readHead() {
    const end = this._pending.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const lines = this._pending.subarray(0, end).toString('latin1').split('\r\n');
    this._pending = this._pending.subarray(end + 4);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!status) throw new Error(`not an HTTP response: ${lines[0]}`);
    const header = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      header[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    this.head = { statusCode: Number(status[1]), header };
    const lower = Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]));
    if (/chunked/i.test(lower['transfer-encoding'] || '')) {
      this._mode = 'chunked';
      this._state = 'size';
    } else if (lower['content-length'] !== undefined) {
      this._mode = 'length';
      this._left = Number(lower['content-length']);
      this._state = this._left > 0 ? 'data' : 'end';
    } else {
      this._mode = 'close';
      this._state = 'body';
    }
    return true;
  }

  _readSize() {
    const end = this._pending.indexOf(CRLF);
    if (end < 0) return false;
    const size = parseInt(this._pending.subarray(0, end).toString('latin1').split(';')[0], 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line: ${this._pending.subarray(0, end)}`);
    this._pending = this._pending.subarray(end + 2);
    this._left = size;
    this._state = size === 0 ? 'trailer' : 'data';
    return true;
  }

  _take(out, next) {
    const n = Math.min(this._left, this._pending.length);
    out.push(this._pending.subarray(0, n));
    this._pending = this._pending.subarray(n);
    this._left -= n;
    if (this._left === 0) this._state = next;
    return n > 0;
  }

  _expectCRLF(next) {
    if (this._pending.length < 2) return false;
    if (!this._pending.subarray(0, 2).equals(CRLF)) throw new Error('chunk data not followed by CRLF');
    this._pending = this._pending.subarray(2);
    this._state = next;
    return true;
  }

  _readTrailer() {
    const end = this._pending.indexOf(CRLF);
    if (end < 0) return false;
    this._pending = this._pending.subarray(end + 2);
    if (end === 0) this._state = 'end';
    return true;
  }
}

function toArrayBuffer(bytes) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function requestBytes(url, method, header, data) {
  let body = Buffer.alloc(0);
  const headers = { Host: url.host, Connection: 'close', ...header };
  if (data !== undefined && method !== 'GET') {
    body = Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(body.length);
  }
  const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), body]);
}

/**
 * wx.request({url, method, header, data, enableChunked, success, fail, complete}).
 * With enableChunked, success gets an empty `data` (the body went to onChunkReceived);
 * without it, `data` is the whole body as an ArrayBuffer.
 */
function request(options) {
  const url = new URL(options.url);
  const method = (options.method || 'GET').toUpperCase();
  const chunkListeners = [];
  const headerListeners = [];
  const reader = new ResponseReader();
  const whole = [];
  let finished = false;
  const socket = net.connect({ host: url.hostname, port: Number(url.port) || 80 });
  const task = {
    reads: [],
    chunks: [],
    onChunkReceived: (fn) => chunkListeners.push(fn),
    offChunkReceived: (fn) => chunkListeners.splice(chunkListeners.indexOf(fn) >>> 0, 1),
    onHeadersReceived: (fn) => headerListeners.push(fn),
    abort: () => finish(new Error('request:fail abort')),
  };

  function finish(err) {
    if (finished) return;
    finished = true;
    socket.destroy();
    if (err || !reader.head) {
      if (options.fail) options.fail({ errMsg: (err && err.message) || 'request:fail connection closed before a response' });
    } else if (!reader.completeAtClose) {
      if (options.fail) options.fail({ errMsg: 'request:fail the response ended early' });
    } else if (options.success) {
      const body = options.enableChunked ? new ArrayBuffer(0) : toArrayBuffer(Buffer.concat(whole));
      options.success({ statusCode: reader.head.statusCode, header: reader.head.header, data: body });
    }
    if (options.complete) options.complete();
  }

  socket.setNoDelay(true);
  socket.on('connect', () => socket.write(requestBytes(url, method, options.header || {}, options.data)));
  socket.on('data', (bytes) => {
    task.reads.push(bytes.length);
    const hadHead = reader.head !== null;
    let payload;
    try {
      payload = reader.feed(bytes);
    } catch (err) {
      finish(err);
      return;
    }
    if (!hadHead && reader.head) headerListeners.forEach((fn) => fn({ statusCode: reader.head.statusCode, header: reader.head.header }));
    if (payload.length > 0) {
      if (options.enableChunked) {
        task.chunks.push(payload);
        chunkListeners.forEach((fn) => fn({ data: toArrayBuffer(payload) }));
      } else {
        whole.push(payload);
      }
    }
    if (reader.ended) finish(null);
  });
  socket.on('end', () => finish(null));
  socket.on('error', (err) => finish(err));
  return task;
}

module.exports = { request, ResponseReader };
