// Phone pairing (a QR code of the phone page's LAN address) and business-code coverage (what a session's
// requests delivered of every code the scenarios can send), from /_mock/pair and /_mock/coverage.

import { $, api, fill, h } from "./dom.js";

/** The page opened as the phone page (`#view=phone&session=…`, as the pairing QR code has it). */
export const PAGE_PARAMS = new URLSearchParams(location.hash.slice(1));

/** Show the QR code of the phone page for `session` in `root`. */
export async function showPairing(root, session = "") {
  const query = session ? `?session=${encodeURIComponent(session)}` : "";
  try {
    const pair = await api(`../pair${query}`);
    const image = h("img", { class: "pair-qr", alt: `QR code: ${pair.url}`, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(pair.svg)}` });
    fill(root, image, h("a", { class: "pair-url", href: pair.url }, pair.url), pair.note ? h("p", { class: "status" }, pair.note) : null);
  } catch (error) {
    fill(root, h("p", { class: "status" }, `pairing unavailable: ${error.message}`));
  }
}

const HOW_LABELS = { in_band: "in-band frame", http_status: "HTTP status", websocket_close: "WebSocket close" };

/** Fill `table` with the coverage of `session`: each code, its scenarios, and how often (and how) it was delivered. */
export async function showCoverage(table, summary, session) {
  const query = session ? `?session=${encodeURIComponent(session)}` : "";
  const report = await api(`../coverage${query}`);
  summary.textContent = `${report.covered} of ${report.total} codes delivered${session ? ` in session ${session}` : " (every session)"}`;
  const rows = report.codes.map((code) => {
    const hows = Object.entries(HOW_LABELS).filter(([key]) => code.delivered[key]).map(([key, label]) => `${label} ×${code.delivered[key]}`);
    return h(
      "tr",
      { class: code.delivered.count ? "covered" : "missed" },
      h("td", {}, code.key),
      h("td", {}, code.message),
      h("td", {}, code.scenarios.join(", ")),
      h("td", {}, code.delivered.count ? hows.join(", ") : "—"),
    );
  });
  fill($("tbody", table), rows);
}
