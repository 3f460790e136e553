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

module.exports = { escapeDecode, perChunkDecode };
