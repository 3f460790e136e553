// Report card: how the client of one session behaved (retries, backoff, abandoned streams, duplicates, resume,
// stalls), as GET /_mock/report?session= reads it from the journal. The rules: docs/report-card.md.

import { api, fill, h } from "./dom.js";

const BADGE = { pass: "", warn: "warn", fail: "bad", "n/a": "muted" };

function evidence(items) {
  return items.length ? h("ul", { class: "evidence" }, items.map((item) => h("li", {}, h("code", {}, JSON.stringify(item))))) : null;
}

function verdictRow(name, v) {
  return h("li", { dataset: { verdict: v.verdict, name } }, h("span", { class: `badge ${BADGE[v.verdict]}` }, v.verdict), h("strong", {}, name), ` ${v.summary}`, evidence(v.evidence));
}

export function createReport(els) {
  const read = async () => {
    const session = els.session.value.trim();
    try {
      const card = await api(`../report${session ? `?session=${encodeURIComponent(session)}` : ""}`);
      els.status.textContent = `${card.requests} request(s) ${session ? `of session ${session}` : "in the journal"}: ${card.overall}`;
      els.status.classList.toggle("bad", card.overall === "fail");
      fill(els.list, Object.entries(card.verdicts).map(([name, v]) => verdictRow(name, v)));
    } catch (error) {
      els.status.textContent = error.message;
      els.status.classList.add("bad");
      fill(els.list);
    }
  };
  const sessions = async () => {
    const recent = await api("../journal?limit=500");
    fill(els.known, [...new Set(recent.map((e) => e.session).filter(Boolean))].map((s) => h("option", { value: s })));
  };
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    read();
  });
  els.session.addEventListener("focus", () => sessions().catch(() => {}));
  return { read };
}
