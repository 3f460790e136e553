'use strict';
// streamRequest over a scripted wx.request stand-in: what reaches the callbacks in each case.
const test = require('node:test');
const assert = require('node:assert/strict');
const { streamRequest } = require('../mockllm-client.js');

const bytes = (chunk) => (typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk).slice().buffer;

/** A wx whose request plays `script` (status, chunks as text or bytes, failure) once onChunkReceived is set. */
function scriptedWx({ status = 200, chunks = [], failure = null, headers = true }) {
  const seen = {};
  return {
    seen,
    request(options) {
      seen.options = options;
      const task = {
        onChunkReceived(fn) {
          if (headers && this.headersFn) this.headersFn({ statusCode: status, header: {} });
          chunks.forEach((chunk) => fn({ data: bytes(chunk) }));
          if (failure) options.fail({ errMsg: failure });
          else options.success({ statusCode: status, header: {}, data: new ArrayBuffer(0) });
          options.complete();
        },
        abort() {},
      };
      if (headers) task.onHeadersReceived = (fn) => { task.headersFn = fn; };
      return task;
    },
  };
}

function run(script, options = {}) {
  const wx = scriptedWx(script);
  const calls = [];
  streamRequest(wx, {
    url: 'http://127.0.0.1:1/miniprogram/chat',
    data: { message: '你好' },
    onText: (text) => calls.push(['text', text]),
    onError: (error) => calls.push(['error', error]),
    onDone: () => calls.push(['done']),
    onComplete: (result) => calls.push(['complete', result]),
    ...options,
  });
  return { calls, wx };
}

test('asks for a chunked arraybuffer POST', () => {
  const { wx } = run({ chunks: ['0\r\n\r\n'] });
  assert.equal(wx.seen.options.enableChunked, true);
  assert.equal(wx.seen.options.responseType, 'arraybuffer');
  assert.equal(wx.seen.options.method, 'POST');
  assert.deepEqual(wx.seen.options.data, { message: '你好' });
});

test('a stream split inside a character reaches onText whole, then onDone and onComplete', () => {
  const body = new TextEncoder().encode('success: {"content":"你好"}\r\n0\r\n\r\n');
  const cut = body.indexOf(0xe4) + 1; // just after the lead byte of 你
  const { calls } = run({ chunks: [body.slice(0, cut), body.slice(cut)] });
  assert.deepEqual(calls, [['text', '你好'], ['done'], ['complete', { statusCode: 200, text: '你好', done: true }]]);
});

test('an HTTP error with an OpenAI error body gives its code and message, and the status; then onDone', () => {
  const body = JSON.stringify({ error: { message: '余额不足', type: 'insufficient_quota', param: null, code: 101 } });
  const { calls } = run({ status: 402, chunks: [body] }, { framing: 'openai' });
  assert.deepEqual(calls, [['error', { code: 101, msg: '余额不足', status: 402 }], ['done'], ['complete', { statusCode: 402, text: '', done: true }]]);
});

test('an HTTP error fires onDone once, after onError, whatever the framing', () => {
  for (const framing of ['miniprogram', 'text', 'ndjson', 'sse-json', 'openai']) {
    const { calls } = run({ status: 429, chunks: ['{"code":429,"msg":"slow down"}'] }, { framing });
    assert.deepEqual(calls.map(([kind]) => kind), ['error', 'done', 'complete'], framing);
  }
});

test('an HTTP error without a code gives the status as code; a body that is not JSON is the message', () => {
  assert.deepEqual(run({ status: 500, chunks: ['{"error":{"message":"boom","code":null}}'] }).calls[0], ['error', { code: 500, msg: 'boom', status: 500 }]);
  assert.deepEqual(run({ status: 502, chunks: ['Bad Gateway'] }).calls[0], ['error', { code: 502, msg: 'Bad Gateway', status: 502 }]);
});

test('without onHeadersReceived the status from success still turns the answer into an error', () => {
  const { calls } = run({ status: 401, chunks: [], headers: false });
  assert.deepEqual(calls[0], ['error', { code: 401, msg: '', status: 401 }]);
});

test('a failed request is a request_failed error, and the text read so far stays', () => {
  const { calls } = run({ chunks: ['success: {"content":"半"}\r\nsucc'], failure: 'request:fail timeout' });
  assert.deepEqual(calls, [
    ['text', '半'],
    ['error', { code: 'request_failed', msg: 'request:fail timeout' }],
    ['complete', { statusCode: 200, text: '半', done: false }],
  ]);
});
