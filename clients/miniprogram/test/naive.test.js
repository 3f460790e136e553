'use strict';
// Proof that the split scenarios bite: decoders from the wild, run once per onChunkReceived chunk,
// read the unsplit stream right and throw or garble (乱码) on the split one; the reference client reads both.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createParser, createChunkReader } = require('../mockllm-client.js');
const { escapeDecode, perChunkDecode, postHandler } = require('./naive.js');
const { startServer } = require('./server.js');
const { FRAMINGS, collectChunks, oracle } = require('./streams.js');

const SCENARIO = 'split-utf8';
const SPLIT = ''; // the scenario's own wire block: split_utf8 every, gaps between writes
const UNSPLIT = 'split_utf8=off,gap_ms=none';

/** The text a parser gets when each chunk is decoded with `decode` alone. */
function naiveText(framing, chunks, decode) {
  let text = '';
  const parser = createParser(framing, {}, (event) => {
    if (event.type === 'text') text += event.text;
  });
  for (const chunk of chunks) parser.push(decode(chunk));
  parser.end();
  return text;
}

function referenceText(framing, chunks) {
  const reader = createChunkReader({ framing });
  chunks.forEach((chunk) => reader.push(chunk));
  reader.end();
  return reader.text();
}

let server;
let expected;

before(async () => {
  server = await startServer();
  expected = (await oracle(server.url, SCENARIO)).text;
});

after(async () => {
  if (server) await server.stop();
});

describe('naive decoders', { concurrency: 5 }, () => {
  for (const framing of FRAMINGS) {
    it(`${framing}: read the unsplit stream right`, async () => {
      const { chunks } = await collectChunks(server.url, { framing, scenario: SCENARIO, wire: UNSPLIT });
      assert.equal(naiveText(framing, chunks, escapeDecode), expected);
      assert.equal(naiveText(framing, chunks, perChunkDecode), expected);
      assert.equal(referenceText(framing, chunks), expected);
    });

    it(`${framing}: fail on the split stream, where the reference client reads it right`, async () => {
      const { chunks } = await collectChunks(server.url, { framing, scenario: SCENARIO, wire: SPLIT });
      assert.throws(() => naiveText(framing, chunks, escapeDecode), URIError);
      const garbled = naiveText(framing, chunks, perChunkDecode);
      assert.notEqual(garbled, expected);
      assert.match(garbled, /\ufffd/);
      assert.equal(referenceText(framing, chunks), expected);
    });
  }
});

describe("the blog post's chunk handler", { concurrency: 3 }, () => {
  const paced = { 'X-Mock-Delay-Ms': '20' };

  it('gets every delta and re-enables its UI on the default stream', async () => {
    const want = (await oracle(server.url, 'hello')).text;
    const { chunks } = await collectChunks(server.url, { framing: 'miniprogram', scenario: 'hello', headers: paced });
    const state = postHandler(chunks);
    assert.equal(state.error, null);
    assert.equal(state.text, want);
    assert.equal(state.done, true);
  });

  it('copes with merged-frames: content frames merge, the end marker still comes alone', async () => {
    const want = (await oracle(server.url, 'merged-frames')).text;
    const { chunks } = await collectChunks(server.url, { framing: 'miniprogram', scenario: 'merged-frames', headers: paced });
    assert.deepEqual(postHandler(chunks), { text: want, done: true, error: null });
  });

  for (const [scenario, wire] of [['hello', 'merge_end=true'], ['split-utf8', '']]) {
    it(`still fails on ${scenario}${wire ? ` with ${wire}` : ''}, as designed`, async () => {
      const want = (await oracle(server.url, scenario)).text;
      const { chunks } = await collectChunks(server.url, { framing: 'miniprogram', scenario, wire, headers: paced });
      const state = postHandler(chunks);
      assert.ok(state.error !== null || state.text !== want || !state.done, JSON.stringify(state));
    });
  }
});
