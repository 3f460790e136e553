// mockllm-fuzz against a real server: the reference client reads every shipped scenario alike under every
// delivery (exit 0); the most-copied uni-app handler is caught on a cut inside a character and on a merged
// end marker (exit 1, both named), in reader mode and in page mode.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { startMockllm } from "../index.mjs";
import { deliveries, frameEnds, insideCharacter } from "../fuzz/index.mjs";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/mockllm-fuzz.mjs", import.meta.url));
const REFERENCE = fileURLToPath(new URL("../../miniprogram/mockllm-client.js", import.meta.url));
const NAIVE = fileURLToPath(new URL("./fixtures/naive-handler.mjs", import.meta.url));
const APP_FRAMINGS = ["miniprogram", "text", "ndjson", "sse-json"];
const CODES = ["login-required", "recharge-required", "quota-exhausted", "content-blocked"];

let server;
before(async () => {
  server = await startMockllm({ cwd: REPO, startTimeoutMs: 120000 });
});
after(async () => {
  await server.stop();
});

/** Run the command; resolve with its exit code and output. */
function fuzz(...args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--url", server.url, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("deliveries", () => {
  const body = Buffer.from('success: {"content":"你"}\r\nevent: error\ndata: {"code":101,"msg":"余额不足"}\r\n0\r\n\r\n');
  const sizes = [28, 54, 5];

  test("one extra cut at every offset, each write boundary merged away, all in one read, pairs, device profiles", () => {
    const all = [...deliveries(body, sizes, { pairs: 10 })];
    const singles = all.filter((d) => d.kind === "cut" && d.cuts.length === 1);
    assert.equal(singles.length, body.length - 1 - 2);
    assert.deepEqual(all.filter((d) => d.kind === "merge").map((d) => d.merges), [[28], [82], [28, 82]]);
    assert.equal(all.filter((d) => d.kind === "cut" && d.cuts.length === 2).length, 10);
    const mergeEnd = all.find((d) => d.profile === "merge-end");
    assert.deepEqual(mergeEnd.chunks.map(String), [body.subarray(0, 28).toString(), body.subarray(28).toString()]);
    for (const d of all) assert.deepEqual(Buffer.concat(d.chunks), body);
  });

  test("a bound on single cuts keeps every offset of the first and last two writes", () => {
    const long = Buffer.concat([Buffer.from("a".repeat(3000)), Buffer.from("success: {}\r\n"), Buffer.from("0\r\n\r\n")]);
    const singles = [...deliveries(long, [3000, 13, 5], { cuts: 400, pairs: 0 })].filter((d) => d.kind === "cut");
    assert.equal(singles.length, 400);
    const cuts = new Set(singles.map((d) => d.cuts[0]));
    for (let k = 3001; k < long.length; k++) if (k !== 3013) assert.ok(cuts.has(k), `offset ${k}`);
  });

  test("frames end after each line but an event: line (miniprogram), after blank lines (sse-json); a cut inside a character is seen", () => {
    assert.deepEqual(frameEnds(body, "miniprogram"), [28, 82, 85, 87]);
    assert.deepEqual(frameEnds(Buffer.from('data: {"a":1}\n\nevent: done\ndata: {}\n\n'), "sse-json"), [15, 37]);
    assert.deepEqual(frameEnds(body, "text"), []);
    const at = body.indexOf("你");
    assert.deepEqual([at, at + 1, at + 2, at + 3].map((k) => insideCharacter(body, k)), [false, true, true, false]);
  });
});

/** The two shipped answers over 100 KB (md-long-answer 209 KB, md-links 143 KB in the mini-program framing). */
const LONGEST = ["md-long-answer", "md-links"];

/** Every shipped scenario's name; the `md-*` ones are long Markdown answers (40–210 KB) for renderers. */
async function shippedNames() {
  return (await (await fetch(`${server.url}/_mock/scenarios`)).json()).map((s) => s.name);
}

describe("mockllm-fuzz", { concurrency: 4 }, () => {
  for (const framing of APP_FRAMINGS) {
    // The mini-program framing reads every scenario but the two answers over 100 KB; the other framings skip
    // the long Markdown answers (md-*) altogether. Their hundreds of writes, each merged away in turn with each
    // delivery read whole, would cost most of the run, and they take the same parser paths as the shorter answers.
    const everything = framing === "miniprogram";
    test(`the reference client reads every shipped scenario but ${everything ? "the longest two" : "the md-* ones"} alike under every delivery (${framing}, exit 0)`, async () => {
      const skipped = (name) => (everything ? LONGEST.includes(name) : name.startsWith("md-"));
      const names = (await shippedNames()).filter((name) => !skipped(name));
      const { code, stdout, stderr } = await fuzz("--reader", REFERENCE, "--framing", framing, "--cuts", "100", "--pairs", "20", "--timeout", "2000", "--json", ...names);
      assert.equal(code, 0, stdout.slice(-3000) + stderr);
      const reports = JSON.parse(stdout);
      const fuzzed = reports.filter((r) => !r.skipped);
      assert.ok(fuzzed.length >= 40, `only ${fuzzed.length} scenarios fuzzed`);
      assert.ok(fuzzed.every((r) => r.failures === 0 && r.tried > 1));
      assert.deepEqual(reports.filter((r) => r.skipped).map((r) => r.scenario), ["no-response"]);
      if (everything) assert.ok(fuzzed.some((r) => r.scenario === "md-code-fences"));
    });
  }

  test("the most-copied uni-app handler is caught on a cut inside a character and on a merged end marker (exit 1)", async () => {
    const { code, stdout } = await fuzz("--reader", NAIVE, "--json", ...CODES);
    assert.equal(code, 1);
    for (const report of JSON.parse(stdout)) {
      const byName = Object.fromEntries(report.findings.map((f) => [f.finding, f]));
      assert.ok(byName["cut inside a character"] && byName["merged end marker"], `${report.scenario}: ${Object.keys(byName)}`);
      assert.equal(report.expected.filter((e) => e.type === "throw").length, 0, `${report.scenario} reads right as sent`);
      const char = byName["cut inside a character"];
      assert.ok(char.delivery.cuts[0].insideCharacter && char.delivery.cuts[0].character.text.length === 1);
      assert.equal(char.spec, `cuts=${char.delivery.cuts[0].offset}`);
      assert.ok(char.actual.some((e) => e.type === "throw" && e.name === "SyntaxError"));
      const end = byName["merged end marker"];
      assert.deepEqual([end.delivery.mergesEnd, end.wire], [true, "merge_end=true"]);
      assert.equal(end.actual.at(-1).type, "throw", "the read with the error frame and the end marker throws");
      assert.ok(!end.actual.some((e) => e.type === "done" || e.type === "error"), "so neither the code nor the end is seen");
      assert.equal(report.minimal, "cut inside a character");
    }
  });

  test("the text report names both, with the expected and actual traces and a repro", async () => {
    const { code, stdout } = await fuzz("--reader", NAIVE, "recharge-required");
    assert.equal(code, 1);
    assert.match(stdout, /✗ recharge-required \[miniprogram\]: 80 bytes in 2 writes/);
    assert.match(stdout, /expected \(the stream as sent, one read per write\):\n {4}error code 101 "余额不足，请充值后再试"\n {4}done/);
    assert.match(stdout, /✗ cut inside a character \(minimal failing delivery\): \d+ failing deliveries\n {4}smallest: cut at byte \d+, inside "余"/);
    assert.match(stdout, /✗ merged end marker: 1 failing delivery\n {4}smallest: the end marker merged into the read before it; writes merged at byte 75/);
    assert.match(stdout, /threw SyntaxError/);
    assert.match(stdout, /repro: mockllm-fuzz --reader .* --only 'merges=75' recharge-required/);
    assert.match(stdout, /X-Mock-Wire: merge_end=true/);
  });

  test("--only replays one delivery, the one a repro line names", async () => {
    const { code, stdout } = await fuzz("--reader", NAIVE, "--only", "merges=75", "--json", "recharge-required");
    assert.equal(code, 1);
    const [report] = JSON.parse(stdout);
    assert.deepEqual([report.tried, report.failures, report.findings[0].finding], [1, 1, "merged end marker"]);
    const reference = await fuzz("--reader", REFERENCE, "--only", "merges=75", "--json", "recharge-required");
    assert.equal(reference.code, 0);
  });

  test("page mode: ask(wx, question) through the simulator; the toast and navigation are the trace", async () => {
    const { code, stdout } = await fuzz("--page", NAIVE, "--pairs", "50", "--json", "recharge-required");
    assert.equal(code, 1);
    const [report] = JSON.parse(stdout);
    assert.deepEqual(report.expected.filter((e) => e.type === "ui"), [
      { type: "ui", api: "showToast", title: "余额不足，请充值后再试", icon: "none" },
      { type: "ui", api: "navigateTo", url: "/pages/recharge/recharge" },
    ]);
    const end = report.findings.find((f) => f.finding === "merged end marker");
    assert.deepEqual(end.actual.filter((e) => e.type === "ui"), [], "the merged read throws before the toast");
    assert.ok(report.findings.some((f) => f.finding === "cut inside a character"));
  });

  test("usage and connection errors exit 2 with a message", async () => {
    const none = await fuzz("hello");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give exactly one of --reader FILE or --page FILE/);
    const missing = await fuzz("--reader", REFERENCE, "--only", "cuts=99999", "hello");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /offset 99999 is not inside the \d+-byte body/);
    const unknown = await fuzz("--reader", REFERENCE, "no-such-scenario");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /the server served no scenario for "no-such-scenario" \(HTTP 404\): .*Unknown scenario 'no-such-scenario'/);
    const bad = await fuzz("--reader", REFERENCE, "--pairs", "many", "hello");
    assert.deepEqual([bad.code, bad.stderr.split("\n")[0]], [2, '--pairs must be a whole number, got "many"']);
  });
});
