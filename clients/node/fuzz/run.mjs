// The handler fuzzer: fetch each scenario's bytes once, replay them under every delivery, report what differs.
import { randomUUID } from "node:crypto";

import { DEVICE_PROFILES } from "../simulator/device.mjs";
import { createWx } from "../simulator/index.mjs";
import { cutAt, deliveries, frameEnds, groupReads, insideCharacter, mergedBoundaries, writeBoundaries } from "./deliveries.mjs";
import { pageTrace, readerTrace, sameTrace } from "./trace.mjs";

/** Framings whose stream ends with an end marker of its own (the last write). */
const END_MARKERS = { miniprogram: "0\\r\\n\\r\\n", "sse-json": "event: done", openai: "data: [DONE]" };
export const DEFAULT_FETCH_TIMEOUT_MS = 10000;

/**
 * Fetch `scenario` once from `server` through the simulator: its status, headers, body and the server's
 * write sizes (from the journal's write_log; the socket reads when the journal is not readable).
 */
export async function fetchScenario({ server, scenario, framing = "miniprogram", path = "/chat", question = "你好", token, speed = 0, timeoutMs = DEFAULT_FETCH_TIMEOUT_MS }) {
  const session = `fuzz-${randomUUID().slice(0, 8)}`;
  const wx = createWx({ quiet: true, timeout: timeoutMs });
  const reads = [];
  let head = null;
  const header = { "X-Mock-Scenario": scenario, "X-Mock-Session": session, "X-Mock-Speed": String(speed) };
  const outcome = await new Promise((resolve) => {
    const task = wx.request({
      url: `${server}/${framing}${path}`,
      method: "POST",
      data: { messages: [{ role: "user", content: question }] },
      header,
      enableChunked: true,
      responseType: "arraybuffer",
      success: (res) => resolve({ statusCode: res.statusCode, header: res.header, complete: true }),
      fail: (err) => resolve({ failed: err.errMsg }),
    });
    task.onHeadersReceived((res) => (head = res));
    task.onChunkReceived((res) => reads.push(Buffer.from(res.data)));
  });
  const body = Buffer.concat(reads);
  if (outcome.failed && !reads.length) {
    if (outcome.failed !== "request:fail timeout") throw new Error(`${server} did not answer ${JSON.stringify(scenario)}: ${outcome.failed}`);
    return { scenario, skipped: `no answer: ${outcome.failed}` }; // a scenario that never answers (no-response)
  }
  const chosen = Object.keys(head?.header ?? {}).some((name) => name.toLowerCase() === "x-mock-scenario");
  if (!chosen) throw new Error(`the server served no scenario for ${JSON.stringify(scenario)} (HTTP ${head?.statusCode}): ${body.toString("utf8")}`);
  const { sizes, source } = await writeSizes(server, session, token, body.length, reads);
  return { scenario, framing, statusCode: head?.statusCode ?? null, header: head?.header ?? {}, body, sizes, source, interrupted: outcome.failed ?? null };
}

async function writeSizes(server, session, token, length, reads) {
  const fromReads = { sizes: reads.map((r) => r.length), source: "socket reads" };
  try {
    const response = await fetch(`${server}/_mock/journal?session=${session}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok) return { ...fromReads, source: `socket reads (journal: HTTP ${response.status})` };
    const [entry] = await response.json();
    const sizes = (entry?.write_log ?? []).map(([, size]) => size).filter((size) => size > 0);
    if (sizes.reduce((a, b) => a + b, 0) !== length) return { ...fromReads, source: "socket reads (journal write_log does not add up)" };
    return { sizes, source: "server writes (journal write_log)" };
  } catch (error) {
    return { ...fromReads, source: `socket reads (journal: ${error.message})` };
  }
}

/** What one delivery changes, in words a person acts on: each cut's place and each merge. */
export function describeDelivery(fetched, delivery) {
  const { body, framing, sizes } = fetched;
  const ends = new Set(frameEnds(body, framing));
  const lastWrite = writeBoundaries(sizes).at(-1);
  const cuts = delivery.cuts.map((k) => ({ offset: k, insideCharacter: insideCharacter(body, k), insideFrame: ends.size > 0 && !ends.has(k), character: insideCharacter(body, k) ? characterAt(body, k) : null }));
  const mergesEnd = delivery.merges.includes(lastWrite);
  return { cuts, merges: delivery.merges, mergesEnd, profile: delivery.profile, reads: delivery.chunks.map((c) => c.length) };
}

/** The character a cut at `offset` splits, with its byte range. */
function characterAt(body, offset) {
  let start = offset;
  while (start > 0 && (body[start] & 0xc0) === 0x80) start -= 1;
  let end = offset;
  while (end < body.length && (body[end] & 0xc0) === 0x80) end += 1;
  return { text: body.subarray(start, end).toString("utf8"), from: start, to: end };
}

/** The finding a failing delivery belongs to. */
export function findingOf(fetched, described) {
  if (described.profile) return `device profile ${described.profile.replace(/ \(seed \d+\)$/, "")}`;
  if (described.cuts.some((c) => c.insideCharacter)) return "cut inside a character";
  if (described.cuts.some((c) => c.insideFrame)) return "cut inside a frame";
  if (described.cuts.length) return "cut at a frame boundary";
  if (described.mergesEnd) return END_MARKERS[fetched.framing] ? "merged end marker" : "merged last write";
  if (described.merges.length === fetched.sizes.length - 1 && described.merges.length > 1) return "all in one read";
  return "merged writes";
}

/** Findings in the order a report lists them (and breaks ties for the minimal one). */
const FINDING_ORDER = ["cut inside a character", "cut inside a frame", "cut at a frame boundary", "merged end marker", "merged last write", "merged writes", "all in one read"];
const rank = (finding) => (FINDING_ORDER.includes(finding) ? FINDING_ORDER.indexOf(finding) : FINDING_ORDER.length);

/** An X-Mock-Wire value that makes the server deliver this kind of failure, when one exists. */
const WIRE_REPRO = {
  "cut inside a character": "split_utf8=first",
  "cut inside a frame": "max_write_bytes=7",
  "merged end marker": "merge_end=true",
  "all in one read": "frames_per_write=10000",
  "merged writes": "frames_per_write=2",
};

/** `--only` text that replays exactly this delivery. */
export function deliverySpec(delivery) {
  if (delivery.profile) return `profile=${delivery.profile.replace(/ \(seed (\d+)\)$/, ":$1")}`;
  const parts = [];
  if (delivery.cuts.length) parts.push(`cuts=${delivery.cuts.join(",")}`);
  if (delivery.merges.length) parts.push(`merges=${delivery.merges.join(",")}`);
  return parts.join(";");
}

/**
 * Replay `fetched` under every delivery with `handler` ({createReader} or {ask}); resolve with the
 * scenario's report: tried, failures, expected trace, and per finding its count and smallest delivery.
 */
export async function fuzzScenario(fetched, handler, options = {}) {
  const { cuts = 2000, pairs = 2000, only = null, question = "你好", pageTimeoutMs = 5000 } = options;
  const asSent = { kind: "as sent", cuts: [], merges: [], profile: null, chunks: sentChunks(fetched) };
  const trace = handler.createReader
    ? async (d) => readerTrace(handler.createReader, d.chunks, fetched.framing)
    : async (d) => pageTrace(handler.ask, { statusCode: fetched.statusCode ?? 200, header: fetched.header, complete: !fetched.interrupted }, d.chunks, question, pageTimeoutMs);
  const expected = await trace(asSent);
  const findings = new Map();
  let tried = 0;
  let failures = 0;
  for (const delivery of only ? [only] : deliveries(fetched.body, fetched.sizes, { cuts, pairs })) {
    tried += 1;
    const actual = await trace(delivery);
    if (sameTrace(actual, expected)) continue;
    failures += 1;
    const described = describeDelivery(fetched, delivery);
    const finding = findingOf(fetched, described);
    const size = described.cuts.length + described.merges.length;
    const known = findings.get(finding);
    if (known) known.count += 1;
    if (!known || size < known.size) {
      findings.set(finding, { finding, count: known ? known.count : 1, size, delivery: described, spec: deliverySpec(delivery), wire: WIRE_REPRO[finding] ?? null, actual });
    }
  }
  const ordered = [...findings.values()].sort((a, b) => rank(a.finding) - rank(b.finding));
  const list = ordered.map(({ size, ...rest }) => rest);
  const minimal = ordered.slice().sort((a, b) => a.size - b.size)[0]?.finding ?? null;
  return {
    scenario: fetched.scenario,
    framing: fetched.framing,
    statusCode: fetched.statusCode,
    bytes: fetched.body.length,
    writes: fetched.sizes,
    writesFrom: fetched.source,
    interrupted: fetched.interrupted,
    tried,
    failures,
    expected,
    findings: list,
    minimal,
  };
}

/** The body as the server wrote it: one read per write. */
function sentChunks(fetched) {
  const out = [];
  let at = 0;
  for (const size of fetched.sizes) out.push(fetched.body.subarray(at, (at += size)));
  return out.length ? out : [fetched.body];
}

/** Parse an `--only` spec (`cuts=37,52;merges=80` or `profile=merge-some:3`) into a delivery of `fetched`. */
export function deliveryFromSpec(fetched, spec) {
  const fields = Object.fromEntries(spec.split(";").filter(Boolean).map((p) => p.split("=").map((s) => s.trim())));
  const numbers = (text) => (text ? text.split(",").map(Number) : []);
  const writes = writeBoundaries(fetched.sizes);
  if (fields.profile) {
    const [name, seed] = fields.profile.split(":");
    if (!DEVICE_PROFILES[name]) throw new TypeError(`unknown profile ${name}; known: ${Object.keys(DEVICE_PROFILES).join(", ")}`);
    const chunks = groupReads(cutAt(fetched.body, writes), seed ? { ...DEVICE_PROFILES[name], seed: Number(seed) } : name);
    return { kind: "device", cuts: [], merges: mergedBoundaries(writes, chunks), profile: seed ? `${name} (seed ${seed})` : name, chunks };
  }
  const cuts = numbers(fields.cuts);
  const merges = numbers(fields.merges);
  const bad = [...cuts, ...merges].find((n) => !Number.isInteger(n) || n <= 0 || n >= fetched.body.length);
  if (bad !== undefined) throw new RangeError(`offset ${bad} is not inside the ${fetched.body.length}-byte body`);
  const boundaries = [...new Set([...writes.filter((w) => !merges.includes(w)), ...cuts])].sort((a, b) => a - b);
  return { kind: "replay", cuts, merges, profile: null, chunks: cutAt(fetched.body, boundaries) };
}
