// The fuzzer as a library: `fuzz(options)` is what the mockllm-fuzz command runs.
import { formatReport } from "./report.mjs";
import { readerFactory } from "./trace.mjs";
import { deliveryFromSpec, fetchScenario, fuzzScenario } from "./run.mjs";

export { deliveries, frameEnds, insideCharacter } from "./deliveries.mjs";
export { readerTrace, pageTrace } from "./trace.mjs";
export { formatReport } from "./report.mjs";

/** Every scenario name the server serves. */
async function scenarioNames(server, token) {
  const response = await fetch(`${server}/_mock/scenarios`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`GET ${server}/_mock/scenarios answered ${response.status}: name the scenarios, or pass --token`);
  return (await response.json()).map((s) => s.name);
}

/**
 * Fuzz a handler against scenarios of a running server. options: module (the imported handler module),
 * file, mode ("reader" | "page"), server, scenarios (default: all), framing, path, question, cuts, pairs,
 * only (a delivery spec), token, timeoutMs, command (for repro lines).
 * Resolves with {reports, text, ok}.
 */
export async function fuzz(options) {
  const { module, file, mode = "reader", server, framing = "miniprogram", path = "/chat", question = "你好", cuts = 2000, pairs = 2000, only, token, timeoutMs = 10000 } = options;
  const handler = mode === "reader" ? { createReader: readerFactory(module, file) } : { ask: askOf(module, file) };
  const names = options.scenarios?.length ? options.scenarios : await scenarioNames(server, token);
  const reports = [];
  for (const scenario of names) {
    const fetched = await fetchScenario({ server, scenario, framing, path, question, token, timeoutMs });
    if (fetched.skipped) {
      reports.push({ scenario, skipped: fetched.skipped });
      continue;
    }
    const delivery = only ? deliveryFromSpec(fetched, only) : null;
    reports.push(await fuzzScenario(fetched, handler, { cuts, pairs, only: delivery, question, pageTimeoutMs: timeoutMs }));
  }
  const command = options.command ?? `mockllm-fuzz --url ${server}`;
  return { reports, text: formatReport(reports, command), ok: reports.every((r) => !r.failures) };
}

function askOf(module, file) {
  const ask = [module, module.default].filter(Boolean).map((m) => m.ask).find((f) => typeof f === "function");
  if (!ask) throw new TypeError(`${file} exports no ask(wx, question)`);
  return ask;
}
