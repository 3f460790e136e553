'use strict';
/*
 * A wx.connectSocket look-alike for Node tests, over the `ws` package: the
 * SocketTask shape (onOpen, onMessage({data}), onClose({code, reason}),
 * onError, send({data}), close({code, reason})). Text messages arrive as
 * strings, binary ones as ArrayBuffers, as in a mini-program runtime.
 */
const path = require('node:path');

const WebSocket = require(path.join(__dirname, '..', '..', '..', 'tests', 'browser', 'node_modules', 'ws'));

function connectSocket({ url, header }) {
  const socket = new WebSocket(url, { headers: header });
  const messages = [];
  return {
    messages,
    onOpen: (callback) => socket.on('open', () => callback({})),
    onMessage: (callback) =>
      socket.on('message', (data, isBinary) => {
        const value = isBinary ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.toString('utf8');
        messages.push(value);
        callback({ data: value });
      }),
    onClose: (callback) => socket.on('close', (code, reason) => callback({ code, reason: reason.toString('utf8') })),
    onError: (callback) => socket.on('error', (error) => callback({ errMsg: error.message })),
    send: ({ data }) => socket.send(data),
    close: ({ code, reason }) => socket.close(code, reason),
  };
}

module.exports = { connectSocket };
