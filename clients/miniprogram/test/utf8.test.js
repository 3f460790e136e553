'use strict';
// The incremental UTF-8 decoder against Node's TextDecoder (used here only, as the oracle).
const test = require('node:test');
const assert = require('node:assert/strict');
const { createUtf8Decoder } = require('../mockllm-client.js');

const MIXED = 'aé中😀𝄞\u0000é文 你好，世界！👩‍💻 ok';

function oracle(chunks) {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
}

function decodeChunks(chunks) {
  const decoder = createUtf8Decoder();
  return chunks.map((c) => decoder.write(c)).join('') + decoder.end();
}

function splitAt(bytes, points) {
  const chunks = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.slice(start, p));
    start = p;
  }
  chunks.push(bytes.slice(start));
  return chunks;
}

test('decodes every single split point of a mixed string', () => {
  const bytes = new TextEncoder().encode(MIXED);
  for (let i = 0; i <= bytes.length; i++) {
    assert.equal(decodeChunks(splitAt(bytes, [i])), MIXED, `split at byte ${i}`);
  }
});

test('decodes every pair of split points of a mixed string', () => {
  const bytes = new TextEncoder().encode(MIXED);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      assert.equal(decodeChunks(splitAt(bytes, [i, j])), MIXED, `split at bytes ${i} and ${j}`);
    }
  }
});

test('decodes one byte per chunk', () => {
  const bytes = new TextEncoder().encode(MIXED);
  assert.equal(decodeChunks(Array.from(bytes, (b) => Uint8Array.of(b))), MIXED);
});

test('holds an incomplete character back until its last byte', () => {
  const decoder = createUtf8Decoder();
  const bytes = new TextEncoder().encode('中😀');
  assert.equal(decoder.write(bytes.slice(0, 2)), '');
  assert.equal(decoder.pending(), true);
  assert.equal(decoder.write(bytes.slice(2, 5)), '中');
  assert.equal(decoder.write(bytes.slice(5)), '😀');
  assert.equal(decoder.pending(), false);
  assert.equal(decoder.end(), '');
});

test('accepts ArrayBuffer, typed arrays, DataView and plain arrays', () => {
  const bytes = new TextEncoder().encode('中文');
  const offset = new Uint8Array(bytes.length + 2);
  offset.set(bytes, 1);
  for (const input of [bytes.buffer, bytes, new DataView(bytes.buffer), Array.from(bytes), offset.subarray(1, 7)]) {
    assert.equal(createUtf8Decoder().write(input), '中文');
  }
  assert.throws(() => createUtf8Decoder().write('text'), TypeError);
});

test('decodes a long chunk (past the internal flush size)', () => {
  const text = '流式输出😀'.repeat(5000);
  assert.equal(decodeChunks([new TextEncoder().encode(text)]), text);
});

const INVALID = {
  'lone continuation': [0x80],
  'overlong 2-byte': [0xc0, 0xaf],
  'overlong 3-byte': [0xe0, 0x80, 0xaf],
  'overlong 4-byte': [0xf0, 0x80, 0x80, 0xaf],
  'surrogate D800': [0xed, 0xa0, 0x80],
  'above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
  'F5 lead byte': [0xf5, 0x80, 0x80, 0x80],
  'FF byte': [0xff],
  'truncated 3-byte then ASCII': [0xe4, 0xb8, 0x41],
  'truncated 4-byte then ASCII': [0xf0, 0x9f, 0x98, 0x41],
  'truncated at the end': [0x41, 0xe4, 0xb8],
  'lead byte then lead byte': [0xe4, 0xe4, 0xb8, 0xad],
  'max code point': [0xf4, 0x8f, 0xbf, 0xbf],
  'E0 A0 boundary': [0xe0, 0xa0, 0x80],
  'ED 9F boundary': [0xed, 0x9f, 0xbf],
};

for (const [name, values] of Object.entries(INVALID)) {
  test(`replaces like TextDecoder: ${name}, at every split point`, () => {
    const bytes = Uint8Array.from([0x78, ...values, 0x79]);
    const expected = oracle([bytes]);
    for (let i = 0; i <= bytes.length; i++) {
      const chunks = splitAt(bytes, [i]);
      assert.equal(decodeChunks(chunks), expected, `split at byte ${i}`);
      assert.equal(decodeChunks(chunks), oracle(chunks));
    }
  });
}

test('matches TextDecoder on seeded random bytes split at random points', () => {
  let state = 12345;
  const random = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x8f, 0x90, 0x9f];
  for (let round = 0; round < 2000; round++) {
    const bytes = Uint8Array.from({ length: 1 + random(12) }, () => (random(2) ? interesting[random(interesting.length)] : random(256)));
    const points = [random(bytes.length + 1), random(bytes.length + 1)].sort((a, b) => a - b);
    const chunks = splitAt(bytes, points);
    assert.equal(decodeChunks(chunks), oracle(chunks), `bytes ${Array.from(bytes)} split at ${points}`);
  }
});

test('end() emits one U+FFFD for an unfinished character and resets', () => {
  const decoder = createUtf8Decoder();
  assert.equal(decoder.write([0xf0, 0x9f]), '');
  assert.equal(decoder.end(), '\ufffd');
  assert.equal(decoder.write([0x41]), 'A');
});
