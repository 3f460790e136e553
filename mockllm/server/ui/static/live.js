// Live traffic: the journal pushed over Server-Sent Events (GET /_mock/live), every request from any client.

import { ADMIN_TOKEN, api, h } from "./dom.js";

const MAX_ROWS = 300;

function errorBadges(entry) {
  return (entry.errors || []).filter((e) => e.code !== null).map((e) => h("span", { class: "badge bad code", title: e.message }, e.code));
}

function statusClass(entry) {
  if (entry.status === null || entry.status === undefined) return "bad";
  if (entry.status >= 400 || (entry.errors || []).length) return "bad";
  return entry.ended === "complete" ? "ok" : "warn";
}

function row(entry, onPick) {
  const time = new Date(entry.time * 1000).toLocaleTimeString([], { hour12: false });
  const request = `${entry.method} ${entry.path}${entry.query && Object.keys(entry.query).length ? "?" + new URLSearchParams(entry.query) : ""}`;
  return h(
    "tr",
    { class: `entry ${statusClass(entry)}`, dataset: { entryId: entry.id }, tabindex: 0, onclick: () => onPick(entry), onkeydown: (e) => e.key === "Enter" && onPick(entry) },
    h("td", { class: "num" }, entry.id),
    h("td", {}, time),
    h("td", { class: "request" }, request),
    h("td", {}, entry.session || ""),
    h("td", { title: entry.why?.reason || "" }, entry.scenario || "", entry.override ? h("span", { class: "badge", title: "chosen by a demo override" }, `override #${entry.override}`) : null),
    h("td", { class: "num" }, entry.seed ?? ""),
    h("td", {}, h("span", { class: `status-pill ${statusClass(entry)}` }, entry.status ?? "—"), errorBadges(entry)),
    h("td", { class: "ended" }, entry.ended || ""),
    h("td", { class: "num" }, entry.writes ?? ""),
    h("td", { class: "num" }, entry.duration_ms ?? ""),
  );
}

/**
 * Follow the journal: each finished entry is handed to `onEntry` and shown as a row (newest first). When the feed
 * fails and the server refuses the page's admin token (401), the feed stops and `onRefused(error)` says so.
 */
export function followJournal(tbody, stateEl, { onPick, onEntry, onRefused }) {
  const seen = new Set();
  const source = new EventSource("../live?backlog=50" + (ADMIN_TOKEN ? "&mock_admin_token=" + encodeURIComponent(ADMIN_TOKEN) : ""));
  let opened = false;
  source.addEventListener("open", () => {
    if (opened) {
      seen.clear(); // reconnected, perhaps to a restarted server whose ids start again: the backlog refills the table
      tbody.replaceChildren();
    }
    opened = true;
    stateEl.textContent = "live";
  });
  source.addEventListener("error", () => {
    stateEl.textContent = "reconnecting…";
    api("../overrides").catch((error) => {
      if (error.status !== 401) return; // the server is away: EventSource keeps trying
      source.close();
      onRefused(error);
    });
  });
  source.addEventListener("message", (event) => {
    const entry = JSON.parse(event.data);
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    tbody.prepend(row(entry, onPick));
    while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(-1);
    onEntry(entry);
  });
  return source;
}
