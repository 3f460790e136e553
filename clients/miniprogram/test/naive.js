'use strict';
/*
 * Decoders copied from the wild, each used the way it usually is: once per
 * onChunkReceived chunk, with nothing carried over. They work until a chunk
 * ends inside a multibyte character.
 */

/** The "UTF-8 bytes to string" one-liner: throws URIError on a split character. */
function escapeDecode(arrayBuffer) {
  const bytes = new Uint8Array(arrayBuffer);
  return decodeURIComponent(escape(String.fromCharCode.apply(null, bytes)));
}

/** A fresh decoder per chunk (no `{stream: true}`): a split character becomes U+FFFD garble (乱码). */
function perChunkDecode(arrayBuffer) {
  return new TextDecoder('utf-8').decode(new Uint8Array(arrayBuffer));
}

/**
 * The chunk handler of the blog post many mini-program chat apps start from:
 * each chunk is decoded alone, a chunk that is the end marker `0` (after
 * dropping one CRLF, compared loosely) ends the answer and re-enables the UI,
 * any other chunk is split on `success:` and each piece is JSON.parse'd. It
 * works while every read holds whole frames and the end marker comes alone.
 */
function postHandler(chunks) {
  const state = { text: '', done: false, error: null };
  for (const chunk of chunks) {
    const text = perChunkDecode(chunk);
    // eslint-disable-next-line eqeqeq
    if (text.replace('\r\n', '') == 0) {
      state.done = true;
      continue;
    }
    try {
      for (const piece of text.split('success:')) if (piece.trim()) state.text += JSON.parse(piece).content;
    } catch (error) {
      state.error = error; // the UI stays disabled
      break;
    }
  }
  return state;
}

module.exports = { escapeDecode, perChunkDecode, postHandler };
