/*
 * mockllm-client: read chunked LLM streams in a mini-program (or anywhere).
 *
 * One dependency-free file in ES5 syntax. It needs no TextDecoder, no Buffer and
 * no Node API, so it runs in the WeChat / Alipay / uni-app runtimes on phones.
 *
 *   - createUtf8Decoder(): incremental UTF-8 decoding that carries a character
 *     split across chunks over to the next chunk; invalid bytes become U+FFFD
 *     exactly as TextDecoder does.
 *   - createParser(framing, options, emit): incremental parser for one framing
 *     (miniprogram, text, ndjson, sse-json, openai, or a custom line framing);
 *     frames may arrive merged or cut at any byte.
 *   - createChunkReader(options): decoder + parser; push(ArrayBuffer), end().
 *   - streamRequest(wx, options): wx.request({enableChunked: true}) wired to a reader.
 *
 * Events: {type: 'text', text}, {type: 'error', code, msg}, {type: 'done'}.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.mockllmClient = factory();
  }
}(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  var REPLACEMENT = 0xFFFD;
  var FLUSH_UNITS = 8192;

  // ---------------------------------------------------------------- bytes

  /** View ArrayBuffer, any typed array, DataView or array of byte values as bytes. */
  function toBytes(data) {
    if (data == null) {
      return [];
    }
    var tag = Object.prototype.toString.call(data);
    if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
      return new Uint8Array(data);
    }
    if (tag === '[object Uint8Array]' || tag === '[object Array]') {
      return data;
    }
    if (data.buffer && typeof data.byteLength === 'number') {
      return new Uint8Array(data.buffer, data.byteOffset || 0, data.byteLength);
    }
    throw new TypeError('expected an ArrayBuffer or a typed array, got ' + tag);
  }

  // ---------------------------------------------------------------- UTF-8

  /**
   * An incremental UTF-8 decoder (the WHATWG decoder algorithm).
   * write(bytes) returns the text of every complete character so far and keeps an
   * incomplete trailing sequence for the next call; end() flushes it (as U+FFFD).
   */
  function Utf8Decoder() {
    this._reset();
  }

  Utf8Decoder.prototype._reset = function () {
    this._codePoint = 0;
    this._needed = 0;
    this._seen = 0;
    this._lower = 0x80;
    this._upper = 0xBF;
  };

  Utf8Decoder.prototype.write = function (data) {
    var bytes = toBytes(data);
    var units = [];
    var out = '';
    for (var i = 0; i < bytes.length; i++) {
      if (!this._step(bytes[i], units)) {
        i--; // the byte ended a broken sequence: read it again as a fresh start
      }
      if (units.length >= FLUSH_UNITS) {
        out += String.fromCharCode.apply(null, units);
        units = [];
      }
    }
    return out + String.fromCharCode.apply(null, units);
  };

  /** Take one byte; false means "not consumed, read it again". */
  Utf8Decoder.prototype._step = function (b, units) {
    if (this._needed === 0) {
      if (b <= 0x7F) {
        units.push(b);
      } else if (b >= 0xC2 && b <= 0xDF) {
        this._start(1, b & 0x1F);
      } else if (b >= 0xE0 && b <= 0xEF) {
        this._start(2, b & 0x0F);
        if (b === 0xE0) { this._lower = 0xA0; }
        if (b === 0xED) { this._upper = 0x9F; }
      } else if (b >= 0xF0 && b <= 0xF4) {
        this._start(3, b & 0x07);
        if (b === 0xF0) { this._lower = 0x90; }
        if (b === 0xF4) { this._upper = 0x8F; }
      } else {
        units.push(REPLACEMENT);
      }
      return true;
    }
    if (b < this._lower || b > this._upper) {
      this._reset();
      units.push(REPLACEMENT);
      return false;
    }
    this._lower = 0x80;
    this._upper = 0xBF;
    this._codePoint = (this._codePoint << 6) | (b & 0x3F);
    this._seen += 1;
    if (this._seen === this._needed) {
      pushCodePoint(units, this._codePoint);
      this._reset();
    }
    return true;
  };

  Utf8Decoder.prototype._start = function (needed, bits) {
    this._needed = needed;
    this._codePoint = bits;
  };

  /** Whether bytes of an unfinished character are held back. */
  Utf8Decoder.prototype.pending = function () {
    return this._needed !== 0;
  };

  Utf8Decoder.prototype.end = function () {
    var broken = this._needed !== 0;
    this._reset();
    return broken ? String.fromCharCode(REPLACEMENT) : '';
  };

  function pushCodePoint(units, codePoint) {
    if (codePoint > 0xFFFF) {
      codePoint -= 0x10000;
      units.push(0xD800 + (codePoint >> 10), 0xDC00 + (codePoint & 0x3FF));
    } else {
      units.push(codePoint);
    }
  }

  function createUtf8Decoder() {
    return new Utf8Decoder();
  }

  // ---------------------------------------------------------------- lines

  /** Cuts text into lines at CRLF, LF or CR, even when a CRLF is split between pushes. */
  function LineSplitter(onLine) {
    this._onLine = onLine;
    this._partial = '';
    this._skipLF = false;
  }

  LineSplitter.prototype.push = function (text) {
    var n = text.length;
    var i = 0;
    if (n === 0) {
      return;
    }
    if (this._skipLF) {
      this._skipLF = false;
      if (text.charCodeAt(0) === 10) {
        i = 1;
      }
    }
    var start = i;
    for (; i < n; i++) {
      var c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        continue;
      }
      var line = this._partial + text.slice(start, i);
      this._partial = '';
      if (c === 13) {
        if (i + 1 === n) {
          this._skipLF = true;
        } else if (text.charCodeAt(i + 1) === 10) {
          i++;
        }
      }
      start = i + 1;
      this._onLine(line);
    }
    this._partial += text.slice(start);
  };

  LineSplitter.prototype.end = function () {
    var rest = this._partial;
    this._partial = '';
    this._skipLF = false;
    if (rest !== '') {
      this._onLine(rest);
    }
  };

  // ---------------------------------------------------------------- framings

  /**
   * Line framings, as settings of the line parser. Each line is read in order:
   *   - empty: forgets the current `event:` name;
   *   - starting with `commentPrefix` (':' = SSE comment, heartbeat): ignored;
   *   - equal to one of `doneLines`: the end marker;
   *   - starting with one of `errorPrefixes`: an error, its JSON after the prefix;
   *   - `event: NAME`: names the next payload;
   *   - starting with one of `payloadPrefixes` ('' = every line): a payload, with
   *     one space after the prefix dropped. A payload equal to one of `doneData`,
   *     or named by an event in `doneEvents`, is the end marker. Otherwise it is
   *     JSON (with `json: false`, the payload itself is the text) and is an error
   *     when it has an object at `errorPath`, is named by `errorEvent` or passes
   *     `errorWhen(value)`: code at `codePath`, message at the first of
   *     `msgPaths`; else the text at `textPath` ('' = the value itself);
   *   - anything else: ignored.
   * `endsAtClose: true`: the body's end is the end marker.
   */
  var FRAMINGS = {
    miniprogram: {
      payloadPrefixes: ['success:', 'data:'],
      textPath: 'content',
      errorEvent: 'error',
      doneLines: ['0']
    },
    ndjson: {
      payloadPrefixes: [''],
      textPath: 'choices.0.delta.content',
      endsAtClose: true
    },
    'sse-json': {
      payloadPrefixes: ['data:'],
      textPath: 'content',
      errorEvent: 'error',
      doneData: ['[DONE]'],
      doneEvents: ['done']
    },
    openai: {
      payloadPrefixes: ['data:'],
      textPath: 'choices.0.delta.content',
      errorEvent: 'error',
      doneData: ['[DONE]']
    }
  };

  var LINE_DEFAULTS = {
    payloadPrefixes: ['data:'],
    json: true,
    textPath: 'content',
    errorEvent: 'error',
    errorPath: 'error',
    errorWhen: null,
    errorPrefixes: [],
    codePath: 'code',
    msgPaths: ['msg', 'message'],
    commentPrefix: ':',
    doneLines: [],
    doneData: [],
    doneEvents: [],
    endsAtClose: false
  };

  function withDefaults(spec, defaults) {
    var out = {};
    var key;
    for (key in defaults) {
      if (Object.prototype.hasOwnProperty.call(defaults, key)) {
        out[key] = defaults[key];
      }
    }
    for (key in spec) {
      if (Object.prototype.hasOwnProperty.call(spec, key) && spec[key] !== undefined) {
        out[key] = spec[key];
      }
    }
    return out;
  }

  function contains(list, value) {
    for (var i = 0; i < list.length; i++) {
      if (list[i] === value) {
        return true;
      }
    }
    return false;
  }

  /** The value at a dotted path ('choices.0.delta.content'); undefined when absent. */
  function pick(value, path) {
    if (!path) {
      return value;
    }
    var keys = path.split('.');
    for (var i = 0; i < keys.length; i++) {
      if (value == null || typeof value !== 'object') {
        return undefined;
      }
      value = value[keys[i]];
    }
    return value;
  }

  function afterPrefix(line, prefix) {
    if (line.slice(0, prefix.length) !== prefix) {
      return null;
    }
    var rest = line.slice(prefix.length);
    return prefix !== '' && rest.charAt(0) === ' ' ? rest.slice(1) : rest;
  }

  var NOT_JSON = {};

  /** JSON.parse, or NOT_JSON. */
  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return NOT_JSON;
    }
  }

  function isObject(value) {
    return value !== null && typeof value === 'object' && value !== NOT_JSON;
  }

  /** The error object a payload carries at `errorPath` (as OpenAI's `{"error": {...}}`), or null. */
  function nestedError(value, spec) {
    var nested = spec.errorPath ? pick(value, spec.errorPath) : undefined;
    return isObject(nested) ? nested : null;
  }

  /** An error event from an error object: its code at `codePath`, its message at the first of `msgPaths`. */
  function errorFrom(value, spec) {
    var code = pick(value, spec.codePath);
    var msg;
    for (var i = 0; i < spec.msgPaths.length && msg == null; i++) {
      msg = pick(value, spec.msgPaths[i]);
    }
    return { type: 'error', code: code === undefined ? null : code, msg: msg == null ? '' : String(msg) };
  }

  /** A parser for a line framing (see FRAMINGS); emit(event) gets each event. */
  function LineParser(spec, emit) {
    var self = this;
    this._spec = withDefaults(spec, LINE_DEFAULTS);
    this._emit = emit;
    this._event = null;
    this._done = false;
    this._lines = new LineSplitter(function (line) { self._line(line); });
  }

  LineParser.prototype.push = function (text) {
    this._lines.push(text);
  };

  LineParser.prototype.end = function () {
    this._lines.end();
    if (this._spec.endsAtClose) {
      this._finish();
    }
  };

  LineParser.prototype._line = function (line) {
    var spec = this._spec;
    if (this._done) {
      return;
    }
    if (line === '') {
      this._event = null;
      return;
    }
    if (spec.commentPrefix && line.slice(0, spec.commentPrefix.length) === spec.commentPrefix) {
      return;
    }
    if (contains(spec.doneLines, line)) {
      this._finish();
      return;
    }
    for (var e = 0; e < spec.errorPrefixes.length; e++) {
      var failure = afterPrefix(line, spec.errorPrefixes[e]);
      if (failure !== null) {
        this._event = null;
        this._errorPayload(failure);
        return;
      }
    }
    var name = afterPrefix(line, 'event:');
    if (name !== null) {
      this._event = name;
      return;
    }
    for (var i = 0; i < spec.payloadPrefixes.length; i++) {
      var payload = afterPrefix(line, spec.payloadPrefixes[i]);
      if (payload !== null) {
        this._payload(payload);
        return;
      }
    }
  };

  LineParser.prototype._payload = function (payload) {
    var spec = this._spec;
    var event = this._event;
    this._event = null;
    if (contains(spec.doneData, payload) || (event !== null && contains(spec.doneEvents, event))) {
      this._finish();
      return;
    }
    if (!spec.json) {
      this._text(payload);
      return;
    }
    var value = parseJSON(payload);
    var nested = nestedError(value, spec);
    if (value === NOT_JSON) {
      this._emit({ type: 'error', code: 'bad_frame', msg: 'not JSON: ' + payload });
    } else if (nested) {
      this._error(nested);
    } else if ((event !== null && event === spec.errorEvent) || (spec.errorWhen && spec.errorWhen(value))) {
      this._error(value);
    } else {
      this._text(pick(value, spec.textPath));
    }
  };

  LineParser.prototype._text = function (text) {
    if (typeof text === 'string' && text !== '') {
      this._emit({ type: 'text', text: text });
    }
  };

  LineParser.prototype._error = function (value) {
    this._emit(errorFrom(value, this._spec));
  };

  /** A line after one of `errorPrefixes`: its JSON (or, not JSON, its text as msg). */
  LineParser.prototype._errorPayload = function (payload) {
    var value = parseJSON(payload);
    if (isObject(value)) {
      this._error(nestedError(value, this._spec) || value);
    } else {
      this._emit({ type: 'error', code: null, msg: payload });
    }
  };

  LineParser.prototype._finish = function () {
    if (!this._done) {
      this._done = true;
      this._emit({ type: 'done' });
    }
  };

  /**
   * The `text` framing: every byte is answer text and the body's end is the end,
   * except a last line that is a JSON object with a `codePath` key (as in
   * `...text\n{"code":101,"msg":"..."}`, or after `\r\n`): that is an error. A line
   * starting with '{' (and a trailing CR) is held back until the next newline or
   * the end tells which it is.
   */
  function TextParser(spec, emit) {
    this._spec = withDefaults(spec, LINE_DEFAULTS);
    this._emit = emit;
    this._held = '';
  }

  TextParser.prototype.push = function (text) {
    var all = this._held + text;
    var cut = all.lastIndexOf('\n');
    if (cut >= 0 && cut + 1 < all.length && all.charAt(cut + 1) !== '{') {
      cut = -1;
    }
    if (cut < 0 && all.charAt(all.length - 1) === '\r') {
      cut = all.length - 1;
    } else if (cut > 0 && all.charAt(cut - 1) === '\r') {
      cut -= 1;
    }
    this._held = cut >= 0 ? all.slice(cut) : '';
    all = cut >= 0 ? all.slice(0, cut) : all;
    if (all !== '') {
      this._emit({ type: 'text', text: all });
    }
  };

  TextParser.prototype.end = function () {
    var held = this._held;
    this._held = '';
    var line = held.replace(/^\r?\n/, '');
    var error = line !== held && line !== '' ? errorObject(line, this._spec) : null;
    if (error) {
      this._emit(errorFrom(error, this._spec));
    } else if (held !== '') {
      this._emit({ type: 'text', text: held });
    }
    this._emit({ type: 'done' });
  };

  function errorObject(line, spec) {
    var value = parseJSON(line);
    return isObject(value) && pick(value, spec.codePath) !== undefined ? value : null;
  }

  /**
   * A parser for `framing` (a name in FRAMINGS, 'text', or 'lines' for a custom
   * line framing described by `options`); built-in framings take `options` as
   * overrides (e.g. {doneEvents: ['finish']}).
   */
  function createParser(framing, options, emit) {
    if (framing === 'text') {
      return new TextParser(options || {}, emit);
    }
    if (framing === 'lines') {
      return new LineParser(options || {}, emit);
    }
    var spec = FRAMINGS[framing];
    if (!spec) {
      throw new Error('unknown framing ' + JSON.stringify(framing) + '; known: text, lines, ' + Object.keys(FRAMINGS).join(', '));
    }
    return new LineParser(withDefaults(options || {}, spec), emit);
  }

  // ---------------------------------------------------------------- reader

  var SPEC_KEYS = ['payloadPrefixes', 'json', 'textPath', 'errorEvent', 'errorPath', 'errorWhen', 'errorPrefixes', 'codePath', 'msgPaths',
    'commentPrefix', 'doneLines', 'doneData', 'doneEvents', 'endsAtClose'];

  function specOptions(options) {
    var spec = {};
    for (var i = 0; i < SPEC_KEYS.length; i++) {
      if (options[SPEC_KEYS[i]] !== undefined) {
        spec[SPEC_KEYS[i]] = options[SPEC_KEYS[i]];
      }
    }
    return spec;
  }

  /** Hand an event to the callbacks in `options`: onText(text), onError({code, msg[, status]}), onDone(), onEvent(event). */
  function dispatch(options, event) {
    if (event.type === 'text' && options.onText) {
      options.onText(event.text);
    } else if (event.type === 'error' && options.onError) {
      var error = { code: event.code, msg: event.msg };
      if (event.status !== undefined) { error.status = event.status; }
      options.onError(error);
    } else if (event.type === 'done' && options.onDone) {
      options.onDone();
    }
    if (options.onEvent) {
      options.onEvent(event);
    }
  }

  /**
   * Decode and parse a stream chunk by chunk.
   * options: framing (default 'miniprogram'), onText(text), onError({code, msg}),
   * onDone(), onEvent(event), plus line-framing settings (see FRAMINGS).
   * Returns {push(arrayBufferOrText), end(), text(), done()}.
   */
  function createChunkReader(options) {
    options = options || {};
    var decoder = new Utf8Decoder();
    var texts = [];
    var finished = false;
    var parser = createParser(options.framing || 'miniprogram', specOptions(options), function (event) {
      if (event.type === 'text') {
        texts.push(event.text);
      } else if (event.type === 'done') {
        finished = true;
      }
      dispatch(options, event);
    });
    return {
      push: function (data) {
        parser.push(typeof data === 'string' ? data : decoder.write(data));
      },
      end: function () {
        var rest = decoder.end();
        if (rest) {
          parser.push(rest);
        }
        parser.end();
      },
      text: function () {
        return texts.join('');
      },
      done: function () {
        return finished;
      }
    };
  }

  // ---------------------------------------------------------------- wx.request

  /**
   * Stream one request with wx.request (or a look-alike: uni.request, Taro.request)
   * and read it. options: url, method (default POST), data, header, framing,
   * onText, onError, onDone, onEvent, onComplete({statusCode, text, done}), and
   * line-framing settings. A non-2xx answer becomes one error event
   * {code, msg, status}: code and msg from its JSON body when it has them, else
   * the status and the body text; the answer is over then, so onDone follows
   * (as it follows an in-band error and its end marker). A failed request
   * (`fail`) gets onError only. Returns the request task (.abort() stops it).
   */
  function streamRequest(wx, options) {
    var reader = createChunkReader(options);
    var spec = withDefaults(specOptions(options), LINE_DEFAULTS);
    var status = 0;
    var failure = null;
    var errorBody = new Utf8Decoder();
    var errorText = '';
    var refused = false;
    function ok() {
      return status === 0 || (status >= 200 && status < 300);
    }
    var task = wx.request({
      url: options.url,
      method: options.method || 'POST',
      data: options.data,
      header: options.header,
      enableChunked: true,
      responseType: 'arraybuffer',
      success: function (res) {
        status = res.statusCode;
      },
      fail: function (err) {
        failure = err;
      },
      complete: function () {
        if (failure) {
          dispatch(options, { type: 'error', code: 'request_failed', msg: (failure && failure.errMsg) || 'request failed' });
        } else if (ok()) {
          reader.end();
        } else {
          refused = true;
          dispatch(options, httpError(status, errorText + errorBody.end(), spec));
          dispatch(options, { type: 'done' });
        }
        if (options.onComplete) {
          options.onComplete({ statusCode: status, text: reader.text(), done: refused || reader.done() });
        }
      }
    });
    if (task.onHeadersReceived) {
      task.onHeadersReceived(function (res) { status = res.statusCode; });
    }
    task.onChunkReceived(function (res) {
      if (ok()) {
        reader.push(res.data);
      } else {
        errorText += errorBody.write(res.data);
      }
    });
    return task;
  }

  // ---------------------------------------------------------------- wx.connectSocket

  /**
   * Stream answers over a WebSocket with wx.connectSocket (or uni.connectSocket,
   * Taro.connectSocket, or anything with the same SocketTask shape) and read them.
   * options: url, header, framing, onText, onError, onDone, onEvent, onOpen(),
   * onClose({code, reason}), and line-framing settings. Each message is read
   * as a chunk of the framing; an answer ends at its end marker (`done`). A
   * close before the answer is done becomes one error event {code, msg}: the
   * close code (1006 when the connection dropped without a close frame) and
   * its reason. Returns {send(data), close(code, reason), task}: send one
   * request (an object is sent as JSON) once the socket is open; requests
   * sent before that wait for it.
   */
  function streamSocket(wx, options) {
    var reader = null;
    var open = false;
    var queue = [];
    var task = wx.connectSocket({ url: options.url, header: options.header });
    function start(data) {
      reader = createChunkReader(options);
      task.send({ data: typeof data === 'string' ? data : JSON.stringify(data) });
    }
    task.onOpen(function () {
      open = true;
      if (options.onOpen) { options.onOpen(); }
      while (queue.length) { start(queue.shift()); }
    });
    task.onMessage(function (res) {
      if (reader) { reader.push(res.data); }
    });
    task.onClose(function (res) {
      open = false;
      if (reader && !reader.done()) {
        reader.end();
        if (!reader.done()) {
          dispatch(options, { type: 'error', code: res.code, msg: res.reason || 'socket closed (' + res.code + ')' });
        }
      }
      if (options.onClose) { options.onClose({ code: res.code, reason: res.reason || '' }); }
    });
    return {
      send: function (data) {
        if (open) { start(data); } else { queue.push(data); }
      },
      close: function (code, reason) {
        task.close({ code: code || 1000, reason: reason || '' });
      },
      task: task
    };
  }

  /** The error event for an HTTP error answer. */
  function httpError(status, body, spec) {
    var value = parseJSON(body);
    var event = isObject(value) ? errorFrom(nestedError(value, spec) || value, spec) : { type: 'error', code: null, msg: '' };
    if (event.code === null) { event.code = status; }
    if (event.msg === '') { event.msg = body; }
    event.status = status;
    return event;
  }

  return {
    createUtf8Decoder: createUtf8Decoder,
    createParser: createParser,
    createChunkReader: createChunkReader,
    streamRequest: streamRequest,
    streamSocket: streamSocket,
    FRAMINGS: FRAMINGS
  };
}));
