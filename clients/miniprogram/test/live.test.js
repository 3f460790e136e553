'use strict';
// The reference client reads every shipped scenario in every built-in framing, on every wire option,
// from a live server through the wx.request harness, to the exact text the server says it sent.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, shippedScenarios } = require('./server.js');
const { FRAMINGS, readStream, joined, oracle, expectedEvents } = require('./streams.js');

/**
 * X-Mock-Wire values: each wire option alone, and several together. Writes cut small get 1 ms
 * gaps (instead of the default 10 ms) to keep the run short; most still arrive as separate reads.
 */
const WIRES = {
  'split utf8 first': 'split_utf8=first',
  'split utf8 every': 'split_utf8=every',
  '3 frames per write': 'frames_per_write=3',
  'all frames in one write': 'frames_per_write=10000',
  'writes of 7 bytes': 'max_write_bytes=7,gap_ms=1',
  'writes of 2 bytes, no gap': 'max_write_bytes=2,gap_ms=0',
  'LF line endings': 'line_ending=lf',
  'CRLF line endings': 'line_ending=crlf',
  'data: without space': 'data_space=false',
  'data: with space': 'data_space=true',
  heartbeats: 'heartbeat_ms=5{beat}',
  'everything at once': 'split_utf8=every,frames_per_write=2,max_write_bytes=11,gap_ms=1,line_ending=crlf,data_space=false,heartbeat_ms=10{beat}',
};

/**
 * The heartbeat bytes per framing: OpenAI and sse-json send `: keep-alive` on their own; the
 * others send none unless told, so they get a comment line. The text framing has no frames:
 * any heartbeat there would be answer text, so it gets none.
 */
const BEATS = { openai: '', 'sse-json': '', miniprogram: ',heartbeat_text=: ping\\r\\n', ndjson: ',heartbeat_text=: ping\\n', text: '' };
const HEARTBEAT_BYTES = /: (keep-alive|ping)/;

/** Scenarios read on every wire option: mixed CJK/English, emoji (echo), faker text, errors before and mid-stream. */
const CORE = ['hello', 'echo', 'default', 'content-blocked', 'recharge-required', 'login-required'];
/**
 * Writes of a few bytes each: the same scenarios but `default`, whose 41 KB answer would be 6,000
 * writes a millisecond apart; the others hold the same CJK, emoji and error cuts.
 */
const TINY_WRITES = /max_write_bytes=\d\d?(,|$)/;
const scenariosFor = (wire) => (TINY_WRITES.test(wire) ? CORE.filter((name) => name !== 'default') : CORE);
const EMOJI_MESSAGE = '表情😀👩‍💻𝄞，中文与 English mixed.';
const messageFor = (scenario) => (scenario === 'echo' ? EMOJI_MESSAGE : '你好');

/**
 * Scenarios that answer every request alike with text, a business error and an end marker: not those
 * with transport faults (resets, hangs, malformed frames: another test's subject) or per-attempt answers.
 */
const SHIPPED = shippedScenarios();
const CLEAN = SHIPPED.filter((s) => !s.faults && !s.attempts);
const WIRE_SCENARIOS = CLEAN.filter((s) => Object.keys(s.wire).length > 0);

let server;
const expected = new Map();

before(async () => {
  server = await startServer();
  for (const { name } of CLEAN) expected.set(name, await oracle(server.url, name, messageFor(name)));
});

after(async () => {
  if (server) await server.stop();
});

/** The text framing has no frames: a line-ending rewrite there rewrites the answer text itself. */
function wireChangesText(framing, wire, scenario) {
  const ending = /line_ending=(lf|crlf)/.exec(wire) || [null, SHIPPED.find((s) => s.name === scenario).wire.line_ending];
  if (framing !== 'text' || !ending[1]) return (text) => text;
  return (text) => text.replace(/\r?\n/g, ending[1] === 'crlf' ? '\r\n' : '\n');
}

/** Read `scenario` in `framing` with `wire` and compare with the oracle; return the harness task. */
async function check(framing, scenario, wire) {
  const want = expected.get(scenario);
  assert.ok(want, `scenario ${scenario} is served`);
  const { events, task } = await readStream(server.url, { framing, scenario, wire, message: messageFor(scenario) });
  const text = wireChangesText(framing, wire, scenario);
  assert.deepEqual(joined(events), expectedEvents(framing, { ...want, text: text(want.text) }), `${framing} ${scenario} ${wire}`);
  assert.ok(task.chunks.length <= task.reads.length, 'at most one onChunkReceived per socket read');
  return task;
}

describe('live server', { concurrency: 12 }, () => {
  it('login-required is code -1 and recharge-required code 101, then the end marker', async () => {
    for (const framing of ['miniprogram', 'sse-json']) {
      const login = await readStream(server.url, { framing, scenario: 'login-required' });
      assert.deepEqual(login.events, [{ type: 'error', code: -1, msg: '请先登录' }, { type: 'done' }]);
      const recharge = await readStream(server.url, { framing, scenario: 'recharge-required' });
      assert.deepEqual(recharge.events, [{ type: 'error', code: 101, msg: '余额不足，请充值后再试' }, { type: 'done' }]);
    }
  });

  for (const framing of FRAMINGS) {
    it(`${framing}: every shipped scenario without faults, as sent`, async () => {
      for (const { name } of CLEAN) await check(framing, name, '');
    });
  }

  for (const { name, wire } of WIRE_SCENARIOS) {
    for (const framing of FRAMINGS) {
      it(`${framing}: shipped wire scenario ${name} ${JSON.stringify(wire)}`, async () => {
        await check(framing, name, '');
      });
    }
  }

  for (const framing of FRAMINGS) {
    for (const [label, template] of Object.entries(WIRES)) {
      const wire = template.replace('{beat}', BEATS[framing]);
      it(`${framing}: ${label} (${wire})`, async () => {
        for (const scenario of scenariosFor(wire)) {
          const task = await check(framing, scenario, wire);
          if (/heartbeat/.test(wire) && framing !== 'text' && expected.get(scenario).text) {
            assert.match(Buffer.concat(task.chunks).toString('utf8'), HEARTBEAT_BYTES, `${scenario}: heartbeats were sent`);
          }
        }
      });
    }
  }

  for (const framing of FRAMINGS) {
    it(`${framing}: split_utf8 really ends chunks inside characters, and the text is exact`, async () => {
      const { events, splitChunks, task } = await readStream(server.url, { framing, scenario: 'hello', wire: 'split_utf8=every' });
      assert.equal(joined(events)[0].text, expected.get('hello').text);
      assert.ok(splitChunks > 5, `only ${splitChunks} of ${task.chunks.length} chunks ended inside a character`);
    });
  }
});
