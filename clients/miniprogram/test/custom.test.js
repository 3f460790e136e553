'use strict';
// Custom framings declared in YAML (`kind: framing`) read with the generic line parser, and
// ASCII-only (`\uXXXX`) JSON, from a live server on this folder's scenarios, on the wire options.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer } = require('./server.js');
const { readStream, joined, oracle, expectedEvents } = require('./streams.js');

const SCENARIOS = ['ascii-emoji', 'ascii-recharge', 'utf8-recharge'];

/** Reader options per framing: the built-in ones by name, the custom ones (test/scenarios/framings.yaml) as line rules. */
const READERS = {
  miniprogram: {},
  'sse-json': {},
  'typed-json': {
    framing: 'lines',
    payloadPrefixes: [''],
    textPath: 'data.text',
    errorWhen: (value) => value.type === 'error',
    codePath: 'data.errCode',
    msgPaths: ['data.errMsg'],
    doneLines: ['{"type":"end"}'],
  },
  'legacy-lines': { framing: 'lines', payloadPrefixes: ['delta='], textPath: '', errorPrefixes: ['error='], doneLines: ['end'] },
};

const WIRES = {
  'as sent': '',
  'split utf8 every': 'split_utf8=every',
  '3 frames per write': 'frames_per_write=3',
  'writes of 5 bytes': 'max_write_bytes=5,gap_ms=1',
  'LF line endings': 'line_ending=lf',
  'CRLF line endings': 'line_ending=crlf',
  heartbeats: 'heartbeat_ms=5,heartbeat_text=: ping\\n',
  'everything at once': 'split_utf8=every,frames_per_write=2,max_write_bytes=9,gap_ms=1,line_ending=crlf,heartbeat_ms=10,heartbeat_text=: ping\\n',
};

let server;
const expected = new Map();

before(async () => {
  const folder = path.join(__dirname, 'scenarios');
  server = await startServer(['--speed', '0', '--seed', '1', '--scenarios', folder, '--default', SCENARIOS[0]]);
  for (const name of SCENARIOS) expected.set(name, await oracle(server.url, name));
});

after(async () => {
  if (server) await server.stop();
});

describe('custom and ASCII-only framings', { concurrency: 6 }, () => {
  for (const [framing, options] of Object.entries(READERS)) {
    for (const [label, wire] of Object.entries(WIRES)) {
      it(`${framing}: ${label}`, async () => {
        for (const scenario of SCENARIOS) {
          const { events, task } = await readStream(server.url, { framing, scenario, wire, options });
          const want = expectedEvents(options.framing ? 'miniprogram' : framing, expected.get(scenario));
          assert.deepEqual(joined(events), want, `${framing} ${scenario} ${wire}`);
          if (/heartbeat/.test(wire)) assert.match(Buffer.concat(task.chunks).toString('utf8'), /: ping/, 'heartbeats were sent');
        }
      });
    }
  }

  it('ASCII-only JSON carries no byte above 0x7F, so there is nothing to split', async () => {
    const { task } = await readStream(server.url, { framing: 'miniprogram', scenario: 'ascii-emoji', wire: 'split_utf8=every' });
    const bytes = Buffer.concat(task.chunks);
    assert.ok(bytes.length > 0);
    assert.ok(bytes.every((b) => b < 0x80));
  });
});
