'use strict';
// Live-test helpers: read a stream through the wx.request harness, and what the server says it should contain.
const { streamRequest, createUtf8Decoder } = require('../mockllm-client.js');
const harness = require('./harness.js');

const APP_FRAMINGS = ['miniprogram', 'text', 'ndjson', 'sse-json'];
const FRAMINGS = [...APP_FRAMINGS, 'openai'];

/** Where a framing is served, and the body to send. */
function route(base, framing, scenario, message) {
  const messages = [{ role: 'user', content: message }];
  if (framing === 'openai') return { url: `${base}/v1/chat/completions`, data: { model: scenario, stream: true, messages } };
  return { url: `${base}/${framing}/chat`, data: { messages } };
}

/**
 * Stream `scenario` in `framing` through the harness with wire options `wire` (an X-Mock-Wire value).
 * Resolves with the events, the task (reads and chunks), and how many chunks ended inside a character.
 */
function readStream(base, { framing, scenario, wire = '', message = '你好', path, options = {} }) {
  const target = route(base, framing, scenario, message);
  const header = { 'X-Mock-Scenario': scenario };
  if (wire) header['X-Mock-Wire'] = wire;
  return new Promise((resolve) => {
    const events = [];
    const probe = createUtf8Decoder();
    let splitChunks = 0;
    const task = streamRequest(harness, {
      url: path ? base + path : target.url,
      data: target.data,
      header,
      framing: options.framing || framing,
      ...options,
      onEvent: (event) => events.push(event),
      onComplete: (result) => resolve({ events, task, result, splitChunks }),
    });
    task.onChunkReceived((res) => {
      probe.write(res.data);
      if (probe.pending()) splitChunks += 1;
    });
  });
}

/** The ArrayBuffers onChunkReceived delivers for one stream, in order. */
function collectChunks(base, { framing, scenario, wire = '', message = '你好', headers = {} }) {
  const target = route(base, framing, scenario, message);
  const header = { 'X-Mock-Scenario': scenario, 'Content-Type': 'application/json', ...headers };
  if (wire) header['X-Mock-Wire'] = wire;
  return new Promise((resolve, reject) => {
    const chunks = [];
    const task = harness.request({
      url: target.url,
      method: 'POST',
      data: target.data,
      header,
      enableChunked: true,
      success: (res) => resolve({ chunks, statusCode: res.statusCode, task }),
      fail: (err) => reject(new Error(err.errMsg)),
    });
    task.onChunkReceived((res) => chunks.push(res.data));
  });
}

/** Adjacent text events joined into one. */
function joined(events) {
  const out = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'text' && last && last.type === 'text') last.text += e.text;
    else out.push({ ...e });
  }
  return out;
}

/** Wire options that rewrite bytes, reset so the oracle reads plain `data: {json}\n\n` frames. */
const PLAIN_WIRE = 'line_ending=none,data_space=none,heartbeat_ms=none';

/**
 * What the server says `scenario` answers, read whole (one body, parsed in one go):
 * `text` and `openaiError` from the openai route's stream (a non-streamed request must
 * give the same text), `status` its HTTP status, and `appError` from an app route's
 * non-streamed answer (the business error body `{"code","msg"}` app framings send).
 */
async function oracle(base, scenario, message = '你好') {
  const messages = [{ role: 'user', content: message }];
  const headers = { 'Content-Type': 'application/json', 'X-Mock-Wire': PLAIN_WIRE, 'X-Mock-Scenario': scenario };
  const post = (path, body) => fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const streamed = await post('/v1/chat/completions', { model: scenario, stream: true, messages });
  const body = await streamed.text();
  let text = '';
  let openaiError = null;
  if (streamed.status !== 200) {
    openaiError = pickError(JSON.parse(body).error);
  } else {
    for (const frame of body.split('\n\n')) {
      if (!frame.startsWith('data: ') || frame === 'data: [DONE]') continue;
      const value = JSON.parse(frame.slice(6));
      if (value.error) openaiError = pickError(value.error);
      else if (value.choices.length) text += value.choices[0].delta.content || '';
    }
  }
  const whole = await (await post('/miniprogram/chat', { messages, stream: false })).json();
  if (!openaiError && whole.content !== text) throw new Error(`streamed and whole answers of ${scenario} differ`);
  const appError = openaiError ? { code: whole.code, msg: whole.msg } : null;
  return { text, openaiError, appError, status: streamed.status };
}

function pickError(error) {
  return { code: error.code, msg: error.message };
}

/** Whether `framing` ends its stream with an end marker (or its end) after an in-stream error. */
const DONE_AFTER_ERROR = { miniprogram: true, 'sse-json': true, text: true, ndjson: true, openai: false };

/**
 * The joined events a correct client reads for `expected` (from `oracle`) in `framing`:
 * app framings send the business error; ndjson and openai OpenAI's error object, and
 * streamRequest reports an HTTP error with the status standing in for a missing code,
 * then `done` (the answer is over).
 */
function expectedEvents(framing, expected) {
  const events = [];
  if (expected.text) events.push({ type: 'text', text: expected.text });
  if (!expected.openaiError) return [...events, { type: 'done' }];
  if (framing === 'openai' && expected.status !== 200) {
    const { code, msg } = expected.openaiError;
    return [{ type: 'error', code: code ?? expected.status, msg, status: expected.status }, { type: 'done' }];
  }
  const error = framing === 'openai' || framing === 'ndjson' ? expected.openaiError : expected.appError;
  events.push({ type: 'error', ...error });
  if (DONE_AFTER_ERROR[framing]) events.push({ type: 'done' });
  return events;
}

module.exports = { APP_FRAMINGS, FRAMINGS, readStream, collectChunks, joined, oracle, expectedEvents, route };
