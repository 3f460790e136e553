'use strict';
// The module runs where mini-programs run: no TextDecoder, no Buffer, no Node API, ES5 syntax.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SOURCE_PATH = path.join(__dirname, '..', 'mockllm-client.js');
const SOURCE = fs.readFileSync(SOURCE_PATH, 'utf8');
const BODY = 'success: {"content":"你好😀"}\r\nevent: error\ndata: {"code":101,"msg":"余额不足"}\r\n0\r\n\r\n';

/** Run the module in a bare context: only the ECMAScript built-ins, plus `extra`. */
function load(extra) {
  const context = vm.createContext({ ...extra });
  vm.runInContext(SOURCE, context, { filename: SOURCE_PATH });
  return context;
}

/** Read BODY byte by byte inside the context (bytes made there, so no Node object leaks in). */
function readInside(context, api) {
  context.api = api;
  context.bytes = Array.from(new TextEncoder().encode(BODY));
  return JSON.parse(vm.runInContext(`
    var events = [];
    var reader = api.createChunkReader({ framing: 'miniprogram', onEvent: function (e) { events.push(e); } });
    for (var i = 0; i < bytes.length; i++) { reader.push(new Uint8Array([bytes[i]]).buffer); }
    reader.end();
    JSON.stringify(events);
  `, context));
}

const EXPECTED = [{ type: 'text', text: '你好😀' }, { type: 'error', code: 101, msg: '余额不足' }, { type: 'done' }];

test('a bare context has none of the Node or web APIs', () => {
  const context = load({ module: { exports: {} } });
  for (const name of ['TextDecoder', 'TextEncoder', 'Buffer', 'require', 'process', 'URL', 'fetch']) {
    assert.equal(vm.runInContext(`typeof ${name}`, context), 'undefined', name);
  }
});

test('loads as a CommonJS module (require in mini-programs) and reads a stream', () => {
  const context = load({ module: { exports: {} } });
  assert.deepEqual(readInside(context, context.module.exports), EXPECTED);
});

test('without module, it sets the global mockllmClient', () => {
  const context = load({});
  assert.equal(typeof context.mockllmClient.createChunkReader, 'function');
  assert.deepEqual(readInside(context, context.mockllmClient), EXPECTED);
});

/** The source with comments, strings and regular-expression literals blanked out. */
function codeOnly(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, "''")
    .replace(/\.replace\(\/(?:\\.|[^/\\\n])+\/[gimsuy]*/g, '.replace(/re/');
}

test('uses ES5 syntax only (old WeChat runtimes)', () => {
  const code = codeOnly(SOURCE);
  const forbidden = {
    'arrow function': /=>/,
    'template literal': /`/,
    let: /\blet\s/,
    const: /\bconst\s/,
    class: /\bclass\s/,
    'optional chaining': /\?\./,
    'nullish coalescing': /\?\?/,
    'spread or rest': /\.\.\./,
    'for...of': /\bfor\s*\([^)]*\bof\b/,
    async: /\basync\s/,
    'default parameter': /function\s*\w*\([^)]*=/,
  };
  for (const [name, pattern] of Object.entries(forbidden)) {
    const found = pattern.exec(code);
    assert.equal(found, null, `${name} at: ${found && code.slice(found.index - 40, found.index + 40)}`);
  }
});
