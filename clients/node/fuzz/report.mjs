// The fuzzer's report for a person: per scenario, what was tried, what failed and how to see it again.
import { describeTrace } from "./trace.mjs";

const MAX_TRACE_LINES = 8;

function cutWords(cut) {
  const where = cut.insideCharacter ? `inside ${JSON.stringify(cut.character.text)} (bytes ${cut.character.from}..${cut.character.to - 1})` : cut.insideFrame ? "between characters" : "at a frame boundary";
  return `cut at byte ${cut.offset}, ${where}${cut.insideFrame ? ", inside a frame" : ""}`;
}

/** The delivery in words: its cuts, merges and device profile, and the reads it makes. */
export function deliveryWords(delivery) {
  const parts = delivery.cuts.map(cutWords);
  if (delivery.profile) parts.push(`device profile ${delivery.profile}`);
  const merges = delivery.merges.map((m) => `${m}`);
  if (merges.length) parts.push(`${delivery.mergesEnd ? "the end marker merged into the read before it; " : ""}writes merged at byte${merges.length > 1 ? "s" : ""} ${merges.join(", ")}`);
  const reads = delivery.reads.length <= 8 ? `reads of ${delivery.reads.join("+")} bytes` : `${delivery.reads.length} reads`;
  return `${parts.join("; ")} → ${reads}`;
}

function traceLines(trace, indent) {
  const lines = describeTrace(trace);
  const shown = lines.length > MAX_TRACE_LINES ? [...lines.slice(0, MAX_TRACE_LINES - 1), `… ${lines.length - MAX_TRACE_LINES + 1} more`] : lines;
  return shown.map((l) => `${indent}${l}`).join("\n") || `${indent}(nothing)`;
}

/** The text report of every scenario; `command` is how this run was started (for repro lines). */
export function formatReport(reports, command) {
  const out = [];
  for (const r of reports) {
    if (r.skipped) {
      out.push(`- ${r.scenario}: skipped (${r.skipped})`, "");
      continue;
    }
    const status = r.statusCode === null ? "no status" : `HTTP ${r.statusCode}`;
    out.push(`${r.failures ? "✗" : "✓"} ${r.scenario} [${r.framing}]: ${r.bytes} bytes in ${r.writes.length} writes (${r.writesFrom}), ${status}${r.interrupted ? `, ${r.interrupted}` : ""}`);
    out.push(`  deliveries tried: ${r.tried}, failures: ${r.failures}`);
    out.push("  expected (the stream as sent, one read per write):", traceLines(r.expected, "    "));
    for (const f of r.findings) {
      out.push(`  ✗ ${f.finding}${f.finding === r.minimal ? " (minimal failing delivery)" : ""}: ${f.count} failing deliver${f.count === 1 ? "y" : "ies"}`);
      out.push(`    smallest: ${deliveryWords(f.delivery)}`);
      out.push("    actual:", traceLines(f.actual, "      "));
      out.push(`    repro: ${command} --only '${f.spec}' ${r.scenario}`);
      if (f.wire) out.push(`           or send the header  X-Mock-Wire: ${f.wire}  (X-Mock-Scenario: ${r.scenario})`);
    }
    out.push("");
  }
  const failed = reports.filter((r) => r.failures);
  const skipped = reports.filter((r) => r.skipped);
  out.push(`${reports.length - skipped.length} scenarios fuzzed, ${failed.length} with failures${skipped.length ? `, ${skipped.length} skipped` : ""}${failed.length ? `: ${failed.map((r) => r.scenario).join(", ")}` : ""}`);
  return out.join("\n");
}
