'use strict';
// Every framing's parser, fed the same body cut at every byte (and every pair of bytes a line apart or closer).
const test = require('node:test');
const assert = require('node:assert/strict');
const { createChunkReader, createParser } = require('../mockllm-client.js');
const { joined } = require('./streams.js'); // adjacent text events as one (the text framing emits one per push)

const encode = (text) => new TextEncoder().encode(text);
const chunk = (content) => JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: content === null ? 'stop' : null }] });
const role = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
const openaiError = JSON.stringify({ error: { message: '余额不足', type: 'invalid_request_error', param: null, code: 101 } });
const text = (t) => ({ type: 'text', text: t });
const error = (code, msg) => ({ type: 'error', code, msg });
const DONE = { type: 'done' };

const CASES = [
  {
    name: 'miniprogram, CRLF, error then end marker',
    framing: 'miniprogram',
    body: 'success: {"content":"你好"}\r\nsuccess: {"content":"😀 world"}\r\nevent: error\ndata: {"code":101,"msg":"余额不足"}\r\n0\r\n\r\n',
    events: [text('你好'), text('😀 world'), error(101, '余额不足'), DONE],
  },
  {
    name: 'miniprogram, LF, no space after the colon, heartbeats',
    framing: 'miniprogram',
    body: ': ping\n\nsuccess:{"content":"第一"}\n: ping\nsuccess:{"content":"段\\n落"}\n0\n\n',
    events: [text('第一'), text('段\n落'), DONE],
  },
  {
    name: 'miniprogram, ASCII-only JSON with a surrogate pair',
    framing: 'miniprogram',
    body: 'success: {"content":"\\u4f60\\u597d"}\r\nsuccess: {"content":"\\ud83d\\ude00!"}\r\nevent: error\ndata: {"code":-1,"msg":"\\u8bf7\\u5148\\u767b\\u5f55"}\r\n0\r\n\r\n',
    events: [text('你好'), text('😀!'), error(-1, '请先登录'), DONE],
  },
  {
    name: 'miniprogram, lines after the end marker are ignored',
    framing: 'miniprogram',
    body: 'success: {"content":"好"}\r\n0\r\n\r\nsuccess: {"content":"late"}\r\n',
    events: [text('好'), DONE],
  },
  {
    name: 'text, error as the last line',
    framing: 'text',
    body: '你好😀，世界。\n第二行\n{"code":101,"msg":"余额不足"}',
    events: [text('你好😀，世界。\n第二行'), error(101, '余额不足'), DONE],
  },
  {
    name: 'text, braces and a trailing newline are text',
    framing: 'text',
    body: '代码：\n{not json}\n{"a":1}\n结束\n',
    events: [text('代码：\n{not json}\n{"a":1}\n结束\n'), DONE],
  },
  {
    name: 'text, CRLF before the error line',
    framing: 'text',
    body: '第一行\r\n第二行\r\n{"code":-1,"msg":"请先登录"}',
    events: [text('第一行\r\n第二行'), error(-1, '请先登录'), DONE],
  },
  {
    name: 'text, lone CRs and a last line that is not an error',
    framing: 'text',
    body: 'a\rb\r\n{"other":1}\r',
    events: [text('a\rb\r\n{"other":1}\r'), DONE],
  },
  {
    name: 'ndjson, OpenAI chunks then an error line',
    framing: 'ndjson',
    body: [role, chunk('你'), chunk('好🙂'), openaiError].join('\n') + '\n',
    events: [text('你'), text('好🙂'), error(101, '余额不足'), DONE],
  },
  {
    name: 'ndjson, CRLF, finish chunk',
    framing: 'ndjson',
    body: [role, chunk('Hello'), chunk(' 世界'), chunk(null)].join('\r\n') + '\r\n',
    events: [text('Hello'), text(' 世界'), DONE],
  },
  {
    name: 'sse-json, reasoning skipped, CRLF, heartbeat, [DONE]',
    framing: 'sse-json',
    body: 'data: {"reasoning_content":"想"}\r\n\r\n: keep-alive\r\n\r\ndata: {"content":"答"}\r\n\r\ndata:{"content":"案"}\r\n\r\nevent: error\r\ndata: {"code":101,"msg":"余额不足"}\r\n\r\ndata: [DONE]\r\n\r\n',
    events: [text('答'), text('案'), error(101, '余额不足'), DONE],
  },
  {
    name: 'sse-json, done as an event',
    framing: 'sse-json',
    body: 'data: {"content":"好的"}\n\nevent: done\ndata: {}\n\n',
    events: [text('好的'), DONE],
  },
  {
    name: 'openai, chunks and [DONE]',
    framing: 'openai',
    body: ['data: ' + role, 'data: ' + chunk('你好'), 'data: ' + chunk('，world'), 'data: ' + chunk(null), 'data: [DONE]'].join('\n\n') + '\n\n',
    events: [text('你好'), text('，world'), DONE],
  },
  {
    name: 'openai, in-stream error frame',
    framing: 'openai',
    body: 'data: ' + chunk('半') + '\n\ndata: ' + openaiError + '\n\n',
    events: [text('半'), error(101, '余额不足')],
  },
  {
    name: 'custom lines framing, typed JSON objects',
    framing: 'lines',
    options: {
      payloadPrefixes: [''],
      textPath: 'data.text',
      errorWhen: (value) => value.type === 'error',
      codePath: 'errCode',
      msgPaths: ['errMsg'],
      doneLines: ['{"type":"end"}'],
    },
    body: '{"type":"delta","data":{"text":"自定"}}\n{"type":"delta","data":{"text":"义"}}\n{"type":"error","errCode":42,"errMsg":"限流"}\n{"type":"end"}\n',
    events: [text('自定'), text('义'), error(42, '限流'), DONE],
  },
  {
    name: 'custom lines framing, raw text payloads',
    framing: 'lines',
    options: { payloadPrefixes: ['msg:'], json: false, doneLines: ['[END]'] },
    body: 'msg: 原样\r\nmsg:文本 \r\nother: x\r\n[END]\r\n',
    events: [text('原样'), text('文本 '), DONE],
  },
];

function read(testCase, pieces) {
  const events = [];
  const reader = createChunkReader({ framing: testCase.framing, ...testCase.options, onEvent: (e) => events.push(e) });
  for (const piece of pieces) reader.push(piece.buffer.slice(piece.byteOffset, piece.byteOffset + piece.byteLength));
  reader.end();
  return events;
}

function check(testCase, pieces, where) {
  const events = read(testCase, pieces);
  if (testCase.framing === 'text') assert.deepEqual(joined(events), joined(testCase.events), where);
  else assert.deepEqual(events, testCase.events, where);
}

for (const testCase of CASES) {
  test(`${testCase.name}: whole body`, () => check(testCase, [encode(testCase.body)], 'one push'));

  test(`${testCase.name}: cut at every byte`, () => {
    const bytes = encode(testCase.body);
    for (let i = 0; i <= bytes.length; i++) check(testCase, [bytes.slice(0, i), bytes.slice(i)], `cut at byte ${i}`);
  });

  test(`${testCase.name}: cut at every pair of bytes within a line's length`, () => {
    // Two cuts further apart than the longest line fall in different lines, each read afresh once its
    // line ends; the single cuts above cover each of them. Every closer pair is tried.
    const bytes = encode(testCase.body);
    const span = Math.max(...testCase.body.split('\n').map((line) => encode(line).length)) + 2;
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= Math.min(bytes.length, i + span); j++) {
        check(testCase, [bytes.slice(0, i), bytes.slice(i, j), bytes.slice(j)], `cut at bytes ${i} and ${j}`);
      }
    }
  });

  test(`${testCase.name}: one byte per push`, () => {
    check(testCase, Array.from(encode(testCase.body), (b) => Uint8Array.of(b)), 'byte by byte');
  });

  if (testCase.framing !== 'text') {
    test(`${testCase.name}: twice in one push`, () => {
      const events = read(testCase, [encode(testCase.body + testCase.body)]);
      const once = testCase.events.filter((e) => e.type !== 'done');
      const closeEnded = testCase.framing === 'ndjson';
      const marker = !closeEnded && once.length < testCase.events.length;
      const expected = marker ? testCase.events : [...once, ...once, ...(closeEnded ? [DONE] : [])];
      assert.deepEqual(events, expected);
    });
  }
}

test('reader.text() and done() report what was read', () => {
  const texts = [];
  let done = 0;
  const reader = createChunkReader({ framing: 'miniprogram', onText: (t) => texts.push(t), onDone: () => done++ });
  reader.push(encode('success: {"content":"你"}\r\nsuccess: {"content":"好"}\r\n0\r'));
  assert.equal(reader.done(), true);
  reader.push(encode('\n\r\n'));
  reader.end();
  assert.deepEqual(texts, ['你', '好']);
  assert.equal(reader.text(), '你好');
  assert.equal(done, 1);
});

test('push() also takes text already decoded', () => {
  const events = [];
  const reader = createChunkReader({ framing: 'sse-json', onEvent: (e) => events.push(e) });
  reader.push('data: {"content":"你');
  reader.push('好"}\n\ndata: [DONE]\n\n');
  assert.deepEqual(events, [text('你好'), DONE]);
});

test('a payload that is not JSON is an error event, and reading goes on', () => {
  const events = [];
  const reader = createChunkReader({ framing: 'miniprogram', onEvent: (e) => events.push(e) });
  reader.push(encode('success: {"content":\r\nsuccess: {"content":"ok"}\r\n0\r\n\r\n'));
  assert.deepEqual(events, [error('bad_frame', 'not JSON: {"content":'), text('ok'), DONE]);
});

test('onError gets code and msg', () => {
  const errors = [];
  const reader = createChunkReader({ framing: 'miniprogram', onError: (e) => errors.push(e) });
  reader.push(encode('event: error\ndata: {"code":-1,"msg":"请先登录"}\r\n'));
  assert.deepEqual(errors, [{ code: -1, msg: '请先登录' }]);
});

test('built-in framings take overrides', () => {
  const events = [];
  const parser = createParser('sse-json', { doneEvents: ['finish'] }, (e) => events.push(e));
  parser.push('data: {"content":"a"}\n\nevent: finish\ndata: {}\n\n');
  assert.deepEqual(events, [text('a'), DONE]);
});

test('an unknown framing names the known ones', () => {
  assert.throws(() => createParser('xml', {}, () => {}), /unknown framing "xml"; known: text, lines, miniprogram, ndjson, sse-json, openai/);
});
