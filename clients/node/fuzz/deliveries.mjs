// Ways a network can deliver one body: the server's writes, cut once or twice more, merged, or grouped as a device does.
import { DEVICE_PROFILES, readGrouper, seededRandom } from "../simulator/device.mjs";

const LF = 0x0a;
const CR = 0x0d;

/** Whether a cut before `offset` falls inside a UTF-8 character (the byte there continues one). */
export const insideCharacter = (body, offset) => offset > 0 && offset < body.length && (body[offset] & 0xc0) === 0x80;

/**
 * Byte offsets just after each frame: after every line but an `event:` line (which names the payload
 * after it) for line framings (miniprogram, ndjson), after each blank line for SSE ones (sse-json,
 * openai), none for plain text.
 */
export function frameEnds(body, framing) {
  const mode = framing === "text" ? "none" : framing === "sse-json" || framing === "openai" ? "sse" : "lines";
  const ends = [];
  if (mode === "none") return ends;
  let lineStart = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== LF) continue;
    const length = i - lineStart - (i > lineStart && body[i - 1] === CR ? 1 : 0);
    const namesNext = mode === "lines" && isEventLine(body, lineStart);
    if ((mode === "lines" && !namesNext) || length === 0) ends.push(i + 1);
    lineStart = i + 1;
  }
  return ends;
}

const EVENT = Buffer.from("event:");
const isEventLine = (body, start) => Buffer.from(body.buffer, body.byteOffset + start, Math.min(EVENT.length, body.length - start)).equals(EVENT);

/** The body cut at `boundaries` (sorted offsets strictly inside it). */
export function cutAt(body, boundaries) {
  const chunks = [];
  let from = 0;
  for (const to of [...boundaries, body.length]) {
    chunks.push(body.subarray(from, to));
    from = to;
  }
  return chunks;
}

/** Offsets where the server's writes end, inside the body. */
export function writeBoundaries(sizes) {
  const out = [];
  let at = 0;
  for (const size of sizes.slice(0, -1)) out.push((at += size));
  return out;
}

/**
 * Every delivery to try, in order of how small a change it is. Each: {kind, cuts, merges, profile, chunks}
 * where `cuts` are offsets added to the server's write boundaries and `merges` the write boundaries
 * removed (the offset where write i ends and write i+1 starts).
 * options: cuts (how many one-cut deliveries at most; default 2000), pairs (two-cut ones; default 2000),
 * seed (which ones, when there are more), profileSeeds (how many seeds of each merging device profile).
 */
export function* deliveries(body, sizes, { cuts = 2000, pairs = 2000, seed = 1, profileSeeds = 8 } = {}) {
  const writes = writeBoundaries(sizes);
  const isWrite = new Set(writes);
  const make = (kind, extra) => ({ kind, cuts: [], merges: [], profile: null, ...extra });
  const free = [];
  for (let k = 1; k < body.length; k++) if (!isWrite.has(k)) free.push(k);
  for (const k of singleCuts(free, writes, body.length, cuts, seed)) yield make("cut", { cuts: [k], chunks: cutAt(body, [...writes, k].sort((a, b) => a - b)) });
  for (const b of writes) yield make("merge", { merges: [b], chunks: cutAt(body, writes.filter((w) => w !== b)) });
  if (writes.length > 1) yield make("merge", { merges: writes.slice(), chunks: [body] });
  for (const [a, b] of cutPairs(free, pairs, seed)) yield make("cut", { cuts: [a, b], chunks: cutAt(body, [...writes, a, b].sort((x, y) => x - y)) });
  const reads = cutAt(body, writes);
  for (const [name, profile] of Object.entries(DEVICE_PROFILES)) {
    if (name === "exact") continue;
    const seeds = profile.mergeProbability ? Array.from({ length: profileSeeds }, (_, i) => i + 1) : [null];
    for (const s of seeds) {
      const grouped = groupReads(reads, s === null ? profile : { ...profile, seed: s });
      const merged = mergedBoundaries(writes, grouped);
      if (merged.length) yield make("device", { profile: s === null ? name : `${name} (seed ${s})`, merges: merged, chunks: grouped });
    }
  }
}

/**
 * Every offset when there are at most `bound`; else the offsets of the first write and of the last two
 * (where a stream starts and ends: the end marker and the frame before it), a quarter of `bound` at most
 * on each side, and a seeded draw of the rest.
 */
function singleCuts(free, writes, length, bound, seed) {
  if (free.length <= bound) return free;
  const side = Math.floor(bound / 4);
  const head = Math.min(writes[0] ?? length, side + 1);
  const tail = Math.max(writes.length >= 2 ? writes[writes.length - 2] : 0, length - side - 1);
  const always = free.filter((k) => k < head || k > tail);
  const rest = free.filter((k) => k >= head && k <= tail);
  const random = seededRandom(seed);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return [...always, ...rest.slice(0, Math.max(0, bound - always.length))].sort((a, b) => a - b);
}

/** Every pair of offsets when there are at most `bound`, else `bound` pairs drawn with a seeded generator. */
function* cutPairs(free, bound, seed) {
  const total = (free.length * (free.length - 1)) / 2;
  if (total <= bound) {
    for (let i = 0; i < free.length; i++) for (let j = i + 1; j < free.length; j++) yield [free[i], free[j]];
    return;
  }
  const random = seededRandom(seed);
  const seen = new Set();
  while (seen.size < bound) {
    const i = Math.floor(random() * free.length);
    const j = Math.floor(random() * free.length);
    if (i === j) continue;
    const pair = i < j ? [free[i], free[j]] : [free[j], free[i]];
    const key = pair.join(",");
    if (!seen.has(key)) {
      seen.add(key);
      yield pair;
    }
  }
}

/** Reads grouped into callbacks as a device `profile` does. */
export function groupReads(reads, profile) {
  const grouper = readGrouper(profile);
  const out = [];
  for (const read of reads) out.push(...grouper.push(Buffer.from(read)));
  out.push(...grouper.end());
  return out;
}

/** Write boundaries that a grouping of reads no longer has. */
export function mergedBoundaries(writes, chunks) {
  const kept = new Set();
  let at = 0;
  for (const chunk of chunks.slice(0, -1)) kept.add((at += chunk.length));
  return writes.filter((w) => !kept.has(w));
}
