// The wire inspector: every read of a body as the browser's stream reader got it (time, size, text, frame
// boundaries, a mark where a read cuts a character or a frame), a timeline of the gaps, the server's own record of
// its writes (journal `write_log`), and a curl line that replays it.

import { fill, h } from "./dom.js";
import { segments } from "./wire.js";

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs, text) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
};
const ms = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** Render `view` = {summary: [[label, value]…], why?, body?, analysis?, writeLog?, truncated?, curl?} into `root`. */
export function renderInspector(root, view) {
  const reads = view.analysis?.reads || [];
  const writes = (view.writeLog || []).map(([t, size]) => ({ t, size }));
  fill(
    root,
    h("dl", { class: "summary" }, view.summary.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    view.why?.tried?.length ? whyTable(view.why) : null,
    reads.length || writes.length ? timeline(reads, writes) : null,
    reads.length ? readsTable(view.analysis) : null,
    writes.length ? writesTable(writes, view.truncated) : null,
    view.body !== undefined && view.body !== null ? bodyBox(view.body) : null,
    view.curl ? curlBox(view.curl) : null,
  );
}

function timeline(reads, writes) {
  const width = 640;
  const rows = [reads.length ? ["browser reads", reads] : null, writes.length ? ["server writes", writes] : null].filter(Boolean);
  const height = 26 + rows.length * 46;
  const end = Math.max(1, ...reads.map((r) => r.t), ...writes.map((w) => w.t));
  const biggest = Math.max(1, ...reads.map((r) => r.size), ...writes.map((w) => w.size));
  const x = (t) => 96 + (t / end) * (width - 110);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline", role: "img", "aria-label": "timeline of reads and writes" });
  rows.forEach(([label, items], row) => {
    const base = 40 + row * 46;
    chart.append(svg("text", { x: 4, y: base - 4, class: "axis-label" }, label));
    chart.append(svg("line", { x1: 96, x2: width - 14, y1: base, y2: base, class: "axis" }));
    for (const item of items) {
      const tall = 6 + 28 * Math.sqrt(item.size / biggest);
      const kind = item.insideChar ? "cut-char" : item.insideFrame ? "cut-frame" : "whole";
      const bar = svg("rect", { x: x(item.t) - 1.5, y: base - tall, width: 3, height: tall, class: `bar ${kind}` });
      bar.append(svg("title", {}, `${ms(item.t)} ms · ${item.size} B${item.insideChar ? " · cuts a character" : ""}${item.insideFrame ? " · ends inside a frame" : ""}`));
      chart.append(bar);
    }
  });
  const ticks = [0, end / 2, end];
  const anchors = ["start", "middle", "end"];
  ticks.forEach((t, i) => chart.append(svg("text", { x: x(t), y: height - 4, class: "tick", "text-anchor": anchors[i] }, `${ms(t)} ms`)));
  return h("figure", { class: "chart" }, chart, h("figcaption", {}, h("span", { class: "key whole" }, "frame ends with the read"), h("span", { class: "key cut-frame" }, "read ends inside a frame"), h("span", { class: "key cut-char" }, "read cuts a UTF-8 character")));
}

/** The scenarios whose `match` rules the selection tried (journal `why.tried`): the first rule that failed, and what it saw. */
function whyTable(why) {
  const shown = (value) => (typeof value === "string" ? value : JSON.stringify(value));
  const rows = why.tried.map((tried) =>
    h(
      "tr",
      { class: tried.matched ? "matched" : null },
      h("td", {}, tried.scenario),
      h("td", {}, tried.rules.join(", ")),
      h("td", {}, tried.matched ? "matched" : `${tried.failed} failed`),
      h("td", { class: "bytes" }, tried.matched ? "" : shown(tried.wanted)),
      h("td", { class: "bytes" }, tried.matched ? "" : shown(tried.seen)),
    ),
  );
  return h(
    "div",
    { class: "table-wrap why" },
    h(
      "table",
      { class: "why-table" },
      h("caption", {}, `why ${why.scenario}: ${why.reason} · match rules tried in file order, the first match wins`),
      h("thead", {}, h("tr", {}, ["scenario", "rules", "result", "wanted", "saw"].map((c) => h("th", {}, c)))),
      h("tbody", {}, rows),
    ),
  );
}

/** Rows the reads table shows at most (the chart and the caption count every read). */
const MAX_ROWS = 1000;

function readsTable(analysis) {
  const rows = analysis.reads.slice(0, MAX_ROWS).map((read, i) =>
    h(
      "tr",
      { class: [read.insideChar ? "mark-utf8" : "", read.insideFrame ? "mark-frame" : ""].join(" ").trim() || null },
      h("td", {}, i + 1),
      h("td", { class: "num" }, ms(read.t)),
      h("td", { class: "num" }, `+${ms(read.gap)}`),
      h("td", { class: "num" }, read.size),
      h("td", { class: "bytes" }, segments(read).map(segment)),
      h("td", { class: "marks" }, marks(read)),
    ),
  );
  const cut = analysis.reads.filter((r) => r.insideChar).length;
  const shown = analysis.reads.length > MAX_ROWS ? ` · the first ${MAX_ROWS} listed` : "";
  const caption = `${analysis.reads.length} reads · ${analysis.total} B · ${analysis.frames} frames (${analysis.mode})${cut ? ` · ${cut} cut a character` : ""}${shown}`;
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "reads" }, h("caption", {}, caption), h("thead", {}, h("tr", {}, ["#", "ms", "gap", "bytes", "content", ""].map((c) => h("th", {}, c)))), h("tbody", {}, rows)),
  );
}

function segment(part) {
  if (part.hex) return h("span", { class: `hex ${part.side}`, title: part.side === "end" ? "the start of a character the next read completes" : "the rest of a character the previous read cut" }, part.hex);
  const pieces = part.text.split(/(\r|\n)/).filter(Boolean).map((piece) => (piece === "\r" ? h("span", { class: "ctl" }, "\\r") : piece === "\n" ? h("span", { class: "ctl" }, "\\n") : piece));
  return [h("span", { class: "text" }, pieces), part.end ? h("span", { class: "frame-end", title: "a frame ends here" }, "") : null];
}

function marks(read) {
  const out = [];
  if (read.insideChar) out.push(h("span", { class: "badge bad" }, "cuts a character"));
  if (read.insideFrame) out.push(h("span", { class: "badge warn" }, "inside a frame"));
  if (read.boundaries.length > 1) out.push(h("span", { class: "badge" }, `${read.boundaries.length} frames`));
  return out;
}

function writesTable(writes, truncated) {
  const rows = writes.map((w, i) => h("tr", {}, h("td", {}, i + 1), h("td", { class: "num" }, ms(w.t)), h("td", { class: "num" }, `+${ms(w.t - (writes[i - 1]?.t ?? 0))}`), h("td", { class: "num" }, w.size)));
  const caption = `server writes (journal): ${writes.length}${truncated ? " (the first 2,000; the rest were not recorded)" : ""}`;
  return h("details", { class: "writes" }, h("summary", {}, caption), h("table", { class: "reads" }, h("thead", {}, h("tr", {}, ["#", "ms", "gap", "bytes"].map((c) => h("th", {}, c)))), h("tbody", {}, rows)));
}

function bodyBox(body) {
  const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
  return h("details", { class: "body" }, h("summary", {}, "request body"), h("pre", {}, text));
}

function curlBox(line) {
  const code = h("code", {}, line);
  const button = h("button", { type: "button", class: "ghost copy" }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(line);
      button.textContent = "Copied";
    } catch {
      getSelection().selectAllChildren(code);
      button.textContent = "Selected: press Ctrl+C";
    }
  });
  return h("div", { class: "curl" }, h("pre", {}, code), button);
}
