// Re-render a streamed answer after every delta, as chat UIs do, with markdown-it and marked, and report the glitches.
// stdin: {baseURL, scenarios: [names], renderers?: [names] (default: all)}; stdout: one JSON object {scenario: {deltas, chars, renderers: {name: verdict}}}.
//
// Each scenario is asked for twice through openai-node: whole (stream: false) and streamed. After every streamed
// delta the text so far is rendered and compared with the prefix-safe render (docs/torture-scenarios.md):
//   safe boundaries   the ends of the top-level blocks of the whole answer (markdown-it's block map, as offsets)
//   prefix-safe render the render of the whole answer cut at the last safe boundary at or before the received length
// An intermediate render is clean when all of these hold, else each failed one is a glitch of that kind:
//   rewrite   it starts with the prefix-safe render (finished blocks never change)
//   literal   its visible text is a prefix of the final render's visible text (no markup shown as text)
//   block     its top-level block kinds are a prefix of the final render's (no paragraph where a table will be)
//   grapheme  its visible text ends on a grapheme-cluster boundary of the final visible text (no half emoji)
import MarkdownIt from "markdown-it";
import { marked } from "marked";
import OpenAI from "openai";
import { stdinJson } from "./reader.mjs";

const markdownIt = new MarkdownIt();
const markdownItHtml = new MarkdownIt({ html: true });
/** Each renderer parses once and gives the HTML and the kinds of its top-level blocks. */
const viaMarkdownIt = (md) => (text) => {
  const tokens = md.parse(text, {});
  return { html: md.renderer.render(tokens, md.options, {}), kinds: itKinds(tokens) };
};
const RENDERERS = {
  "markdown-it": viaMarkdownIt(markdownIt),
  "markdown-it html": viaMarkdownIt(markdownItHtml),
  marked: (text) => {
    const tokens = marked.lexer(text);
    return { html: marked.parser(tokens), kinds: markedKinds(tokens) };
  },
};

const itKinds = (tokens) =>
  tokens.filter((t) => t.level === 0 && t.nesting >= 0 && t.block && t.type !== "inline").map((t) => `${t.type.replace(/_open$/, "")}${t.tag ? `:${t.tag}` : ""}`);
const markedKinds = (tokens) =>
  tokens.filter((t) => t.type !== "space" && t.type !== "def").map((t) => (t.type === "heading" ? `heading:h${t.depth}` : t.type));

/** Markup that a finished render should not show as text; found in the final render, it is a renderer's own bug. */
const LEFTOVER = ["**", "__", "~~", "](", "![", "[^", "<think>"];
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", nbsp: " " };
/** What a reader sees of a render: tags removed, a few entities decoded, whitespace runs collapsed. */
const visible = (html) =>
  html
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_, name) => ENTITIES[name])
    .replace(/\s+/g, " ")
    .trim();

/** Offsets in `text` where a top-level block of markdown-it's parse ends: cutting there splits no block. */
const safeBoundaries = (text) => {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i += 1) if (text[i] === "\n") lineStarts.push(i + 1);
  const ends = markdownIt
    .parse(text, {})
    .filter((t) => t.level === 0 && t.map && t.nesting >= 0)
    .map((t) => Math.min(lineStarts[t.map[1]] ?? text.length, text.length));
  return [0, ...new Set(ends)].sort((a, b) => a - b);
};

const graphemeEnds = (text) => {
  const ends = new Set([0]);
  for (const { index, segment } of new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text)) ends.add(index + segment.length);
  return ends;
};

/** Follow one renderer through the deltas; count each glitch kind and keep its first example. */
const follow = (renderer, whole, prefixes, boundaries) => {
  const { html: final, kinds: finalKinds } = renderer(whole);
  const finalText = visible(final);
  const ends = graphemeEnds(finalText);
  const safeCache = new Map();
  const glitches = {};
  const note = (kind, i, prefix, html) => {
    const seen = (glitches[kind] ??= { count: 0, first: { delta: i, tail: prefix.slice(-24), html: html.slice(-160) } });
    seen.count += 1;
  };
  let html = "";
  let renderMs = 0;
  prefixes.forEach((prefix, i) => {
    const started = performance.now();
    const rendered = renderer(prefix);
    renderMs += performance.now() - started;
    html = rendered.html;
    if (i === prefixes.length - 1) return; // the last render is compared with the whole one below
    const cut = boundaries.findLast((b) => b <= prefix.length);
    if (!safeCache.has(cut)) safeCache.set(cut, renderer(whole.slice(0, cut)).html);
    if (!html.startsWith(safeCache.get(cut))) note("rewrite", i, prefix, html);
    const shown = visible(html);
    if (!finalText.startsWith(shown)) note("literal", i, prefix, html);
    else if (!ends.has(shown.length)) note("grapheme", i, prefix, html);
    if (rendered.kinds.some((kind, k) => kind !== finalKinds[k])) note("block", i, prefix, html);
  });
  const leftover = LEFTOVER.filter((mark) => finalText.includes(mark));
  return { lastEqualsWhole: html === final, glitches, leftover, renderMs: Math.round(renderMs) };
};

const { baseURL, scenarios, renderers: only } = await stdinJson();
const chosen = Object.entries(RENDERERS).filter(([label]) => !only || only.includes(label));
const openai = new OpenAI({ apiKey: "sk-unused", baseURL: `${baseURL}/v1`, maxRetries: 0 });
const messages = [{ role: "user", content: "Show me." }];
const out = {};
for (const name of scenarios) {
  const whole = (await openai.chat.completions.create({ model: name, messages })).choices[0].message.content;
  const prefixes = [];
  let text = "";
  for await (const chunk of await openai.chat.completions.create({ model: name, messages, stream: true })) {
    const delta = chunk.choices[0]?.delta?.content;
    if (!delta) continue;
    text += delta;
    prefixes.push(text);
  }
  const boundaries = safeBoundaries(whole);
  const renderers = {};
  for (const [label, renderer] of chosen) renderers[label] = follow(renderer, whole, prefixes, boundaries);
  out[name] = { deltas: prefixes.length, chars: whole.length, streamedEqualsWhole: text === whole, renderers };
}
console.log(JSON.stringify(out));
