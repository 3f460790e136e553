// The inspector's read analysis (mockllm/server/ui/static/wire.js) on bodies cut at known places; run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyze, frameMode, segments } from "../../mockllm/server/ui/static/wire.js";

const bytes = (text) => new TextEncoder().encode(text);

/** Cut `body` into reads at the given byte offsets. */
function reads(body, cuts) {
  const out = [];
  let from = 0;
  for (const [i, to] of [...cuts, body.length].entries()) {
    out.push({ t: i * 10, bytes: body.subarray(from, to) });
    from = to;
  }
  return out;
}

const MINI = bytes('success: {"content":"你好"}\r\nsuccess: {"content":"😀"}\r\n0\r\n\r\n');

test("a read that ends inside a character carries its first bytes; the next read starts with the rest", () => {
  const [first, second] = analyze(reads(MINI, [22, 30]), "text/event-stream", "miniprogram").reads;
  assert.deepEqual([first.insideChar, first.cut, first.carried], [true, 1, 0]);
  assert.deepEqual([second.insideChar, second.cut, second.carried], [false, 0, 2]);
  assert.deepEqual(segments(first).at(-1), { hex: "e4", side: "end" });
  assert.deepEqual(segments(second)[0], { hex: "bd a0", side: "start" });
});

test("a four-byte character cut twice: the middle read is all continuation bytes", () => {
  const at = MINI.indexOf(0xf0);
  const [, middle, last] = analyze(reads(MINI, [at + 1, at + 2]), "text/event-stream", "miniprogram").reads;
  assert.deepEqual([middle.size, middle.insideChar, middle.carried, middle.cut], [1, true, 1, 0]);
  assert.deepEqual([last.insideChar, last.carried], [false, 2]);
});

test("frames: lines for the miniprogram framing, blank-line events for SSE, none for plain text", () => {
  const whole = analyze(reads(MINI, []), "text/event-stream", "miniprogram");
  assert.equal(whole.mode, "lines");
  assert.deepEqual(whole.reads[0].boundaries, [31, 60, 63, 65]); // after each \r\n, the end marker's blank line included
  assert.equal(whole.reads[0].insideFrame, false);
  const sse = bytes('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n');
  const [head, tail] = analyze(reads(sse, [20]), "text/event-stream; charset=utf-8", "openai").reads;
  assert.deepEqual([head.boundaries, head.insideFrame, tail.boundaries, tail.insideFrame], [[15], true, [10, 24], false]);
  assert.equal(frameMode("text/plain; charset=utf-8", "text", bytes("hi")), "none");
  assert.equal(analyze(reads(bytes("你好"), [1]), "text/plain", "text").reads[0].insideFrame, false);
});

test("an event stream of an unknown framing is judged by its blank lines", () => {
  assert.equal(frameMode("text/event-stream", "shop", bytes("a\r\nb\r\n0\r\n\r\n")), "lines");
  assert.equal(frameMode("text/event-stream", "shop", bytes("data: a\n\ndata: b\n\n")), "sse");
  assert.equal(frameMode("application/x-ndjson", undefined, bytes("{}\n")), "lines");
});

test("gaps are the time since the previous read", () => {
  assert.deepEqual(analyze(reads(MINI, [5, 9]), "", "miniprogram").reads.map((r) => r.gap), [0, 10, 10]);
});
