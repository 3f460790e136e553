// What each network read held: time, size, frame boundaries, and where a read cut a UTF-8 character or a frame.
// Pure functions over [{t, bytes}] so the inspector can render browser reads and tests can reason about them.

const LF = 10;
const CR = 13;

/** The built-in app framings' frame shapes; other bodies are judged by their content type. */
const FRAMING_MODES = { miniprogram: "lines", ndjson: "lines", "sse-json": "sse", text: "none", "ai-sdk": "sse" };

/**
 * How a body is framed: "sse" (events end at a blank line), "lines" (one frame a line) or "none" (plain text, one
 * JSON body). An event stream of an unknown framing is "sse" when it has at least two blank lines, else "lines".
 */
export function frameMode(contentType, framing, bytes) {
  if (framing in FRAMING_MODES) return FRAMING_MODES[framing];
  const type = (contentType || "").toLowerCase();
  if (type.includes("event-stream")) return blankLines(bytes) >= 2 ? "sse" : "lines";
  if (type.includes("ndjson") || type.includes("jsonl")) return "lines";
  return "none";
}

function blankLines(bytes) {
  let count = 0;
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i] === LF && (bytes[i - 1] === LF || (bytes[i - 1] === CR && bytes[i - 2] === LF))) count += 1;
  }
  return count;
}

/** Byte offsets just after each frame's end. */
export function frameEnds(bytes, mode) {
  const ends = [];
  if (mode === "none") return ends;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    const length = i - lineStart - (i > lineStart && bytes[i - 1] === CR ? 1 : 0);
    if (mode === "lines" || length === 0) ends.push(i + 1);
    lineStart = i + 1;
  }
  return ends;
}

export function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function sequenceLength(lead) {
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return 0;
}

/**
 * Analyse reads [{t, bytes}] of one body: for each, its gap to the previous read, the continuation bytes it starts
 * with (`carried`: the rest of a character the previous read cut), the bytes of a character it cuts at its end (`cut`),
 * the frames ending inside it, and whether it ends inside a frame.
 */
export function analyze(reads, contentType, framing) {
  const all = concat(reads.map((r) => r.bytes));
  const mode = frameMode(contentType, framing, all);
  const ends = frameEnds(all, mode);
  const out = [];
  let offset = 0;
  let pending = 0;
  let previous = 0;
  let endIndex = 0;
  for (const read of reads) {
    const bytes = read.bytes;
    let carried = 0;
    let lead = -1;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (pending > 0 && (b & 0xc0) === 0x80) {
        pending -= 1;
        if (lead < 0) carried = i + 1;
        continue;
      }
      pending = sequenceLength(b);
      lead = i;
    }
    const cut = pending > 0 && lead >= 0 ? bytes.length - lead : 0; // all continuation bytes: `carried` covers them
    const start = offset;
    offset += bytes.length;
    const boundaries = [];
    while (endIndex < ends.length && ends[endIndex] <= offset) boundaries.push(ends[endIndex++] - start);
    out.push({
      t: read.t,
      gap: read.t - previous,
      size: bytes.length,
      offset: start,
      bytes,
      carried: Math.min(carried, bytes.length - cut),
      cut,
      insideChar: pending > 0,
      boundaries,
      insideFrame: mode !== "none" && bytes.length > 0 && boundaries.at(-1) !== bytes.length,
    });
    previous = read.t;
  }
  return { mode, reads: out, total: all.length, frames: ends.length };
}

const decoder = new TextDecoder();

/** A read's bytes as display segments: {hex} for bytes of a cut character, {text, end} for text, `end` at a frame boundary. */
export function segments(read) {
  const parts = [];
  const { bytes, carried, cut, boundaries } = read;
  if (carried) parts.push({ hex: hex(bytes.subarray(0, carried)), side: "start" });
  let from = carried;
  for (const end of [...boundaries, bytes.length - cut]) {
    if (end <= from) continue;
    const until = Math.min(end, bytes.length - cut);
    parts.push({ text: decoder.decode(bytes.subarray(from, until)), end: boundaries.includes(until) });
    from = until;
  }
  if (cut) parts.push({ hex: hex(bytes.subarray(bytes.length - cut)), side: "end" });
  return parts;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
