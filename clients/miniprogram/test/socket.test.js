'use strict';
// The reference client's socket reader against a live server over real WebSockets (the `ws` package
// standing in for wx.connectSocket): text, business codes, close codes, a dropped connection.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { streamSocket } = require('../mockllm-client.js');
const { connectSocket } = require('./socket_harness.js');
const { startServer } = require('./server.js');
const { oracle } = require('./streams.js');

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

/** Open a socket on `path`, send each request in turn (the next once the previous is done), collect the events. */
function converse(path, requests, { framing = 'miniprogram', query = '' } = {}) {
  return new Promise((resolve) => {
    const seen = { answers: [], errors: [], close: null, events: [] };
    let current = '';
    let left = requests.slice();
    const socket = streamSocket({ connectSocket }, {
      url: server.url.replace('http', 'ws') + path + query,
      framing,
      onText: (text) => (current += text),
      onError: (error) => seen.errors.push(error),
      onEvent: (event) => seen.events.push(event.type),
      onDone: () => {
        seen.answers.push(current);
        current = '';
        if (left.length) socket.send(left.shift());
        else socket.close(1000, 'bye');
      },
      onClose: (close) => {
        seen.close = close;
        seen.partial = current;
        resolve(seen);
      },
    });
    socket.send(left.shift());
  });
}

describe('streamSocket', { concurrency: 4 }, () => {
  it('reads the text of two answers on one socket, each ended by its end marker', async () => {
    const want = (await oracle(server.url, 'hello')).text;
    const seen = await converse('/ws/miniprogram/chat', [{ message: '你好' }, { message: '再说一次' }], { query: '?scenario=hello' });
    assert.deepEqual(seen.answers, [want, want]);
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.close.code, 1000);
  });

  it('shows business code 101 from an in-band error message', async () => {
    const seen = await converse('/ws/miniprogram/chat', [{ message: '你好' }], { query: '?scenario=recharge-required' });
    assert.deepEqual(seen.errors, [{ code: 101, msg: '余额不足，请充值后再试' }]);
  });

  it('turns a close with app code 4001 into an error with that code and reason', async () => {
    const seen = await converse('/ws/miniprogram/chat', [{ message: '你好' }], { query: '?scenario=socket-close-4001' });
    assert.equal(seen.close.code, 4001);
    assert.deepEqual(seen.errors, [{ code: 4001, msg: 'login required' }]);
    assert.equal(seen.partial, '好的，正在');
  });

  it('sees 1006 when the connection drops without a close frame', async () => {
    const seen = await converse('/ws/miniprogram/chat', [{ message: '你好' }], { query: '?scenario=reset-midstream' });
    assert.equal(seen.close.code, 1006);
    assert.equal(seen.errors.length, 1);
    assert.equal(seen.errors[0].code, 1006);
    assert.ok(seen.partial.length > 0);
  });

  it('reads binary messages cut into continuation frames inside characters', async () => {
    const want = (await oracle(server.url, 'split-utf8')).text;
    const seen = await converse('/ws/miniprogram/chat', [{ message: '你好' }], { query: '?scenario=split-utf8&binary=true' });
    assert.deepEqual(seen.answers, [want]);
  });
});
