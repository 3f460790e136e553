'use strict';
// Proof that the split scenarios bite: decoders from the wild, run once per onChunkReceived chunk,
// read the unsplit stream right and throw or garble (乱码) on the split one; the reference client reads both.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createParser, createChunkReader } = require('../mockllm-client.js');
const { escapeDecode, perChunkDecode } = require('./naive.js');
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
