'use strict';
// Transport faults: the reference client tells a complete stream from a broken one.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./server.js');
const { FRAMINGS, readStream } = require('./streams.js');

/** Framings whose streams end with an end marker, so a missing one is visible. */
const MARKED = ['miniprogram', 'sse-json', 'openai'];
/** Framings with frames that can be malformed (text has none). */
const FRAMED = ['miniprogram', 'ndjson', 'sse-json', 'openai'];

const types = (events) => events.map((e) => e.type);
const textOf = (events) => events.filter((e) => e.type === 'text').map((e) => e.text).join('');

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

describe('transport faults', { concurrency: 5 }, () => {
  for (const framing of MARKED) {
    it(`${framing}: close-without-done reads the text and reports no end marker`, async () => {
      const { events, result } = await readStream(server.url, { framing, scenario: 'close-without-done' });
      assert.ok(textOf(events).length > 0);
      assert.deepEqual([...new Set(types(events))], ['text']);
      assert.equal(result.done, false);
    });
  }

  for (const framing of FRAMINGS) {
    it(`${framing}: reset-midstream keeps the text read so far and ends in a request_failed error`, async () => {
      const { events, result } = await readStream(server.url, { framing, scenario: 'reset-midstream' });
      assert.ok(textOf(events).length > 0);
      assert.equal(events[events.length - 1].type, 'error');
      assert.equal(events[events.length - 1].code, 'request_failed');
      assert.equal(result.done, false);
    });

    it(`${framing}: missing-separator is read to the end without an error`, async () => {
      const { events, result } = await readStream(server.url, { framing, scenario: 'missing-separator' });
      assert.ok(textOf(events).length > 0);
      assert.deepEqual(types(events).filter((t) => t !== 'text'), ['done']);
      assert.equal(result.done, true);
    });
  }

  for (const framing of FRAMED) {
    it(`${framing}: malformed-frame gives one bad_frame error, and reading goes on to the end`, async () => {
      const { events } = await readStream(server.url, { framing, scenario: 'malformed-frame' });
      const bad = events.findIndex((e) => e.type === 'error');
      assert.equal(events[bad].code, 'bad_frame');
      assert.equal(events.filter((e) => e.type === 'error').length, 1);
      assert.ok(textOf(events.slice(0, bad)).length > 0, 'text before the broken frame');
      assert.ok(textOf(events.slice(bad)).length > 0, 'text after the broken frame');
      assert.equal(events[events.length - 1].type, 'done');
    });
  }
});
