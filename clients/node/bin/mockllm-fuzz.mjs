#!/usr/bin/env node
// mockllm-fuzz: run a chunk handler (or a page) against every way the network can cut and merge mockllm's streams.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { fuzz } from "../fuzz/index.mjs";

const USAGE = `usage: mockllm-fuzz (--reader FILE | --page FILE) --url URL [options] [SCENARIO ...]

  --reader FILE    a module exporting createReader({onText, onError, onDone}) → {push(bytes), end()}
  --page FILE      a module exporting ask(wx, question), driven through the simulated wx
  --url URL        the mockllm server (default $MOCKLLM_URL or http://127.0.0.1:8000)
  SCENARIO ...     scenario names (default: every scenario the server serves)
  --framing NAME   the app framing to fetch (default miniprogram): miniprogram, text, ndjson, sse-json
  --path PATH      the route after the framing (default /chat)
  --question TEXT  the user message sent (default 你好)
  --cuts N         at most N one-cut deliveries per scenario (default 2000; past that, every offset
                   in the first and last two writes and a seeded draw of the others)
  --pairs N        at most N two-cut deliveries per scenario (default 2000, a seeded draw)
  --only SPEC      replay one delivery: 'cuts=37,52;merges=80' or 'profile=merge-some:3'
  --token TOKEN    the admin token, to read write boundaries from the journal (default $MOCKLLM_ADMIN_TOKEN)
  --timeout MS     per fetch, and per page run (default 10000)
  --json           print the reports as JSON
Exit status: 0 when every delivery reads as the stream as sent, 1 when one does not, 2 on a usage or connection error.`;

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      reader: { type: "string" },
      page: { type: "string" },
      url: { type: "string", default: process.env.MOCKLLM_URL || "http://127.0.0.1:8000" },
      framing: { type: "string", default: "miniprogram" },
      path: { type: "string", default: "/chat" },
      question: { type: "string", default: "你好" },
      cuts: { type: "string", default: "2000" },
      pairs: { type: "string", default: "2000" },
      only: { type: "string" },
      token: { type: "string", default: process.env.MOCKLLM_ADMIN_TOKEN },
      timeout: { type: "string", default: "10000" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  if (!values.reader === !values.page) throw new UsageError("give exactly one of --reader FILE or --page FILE");
  for (const name of ["cuts", "pairs", "timeout"]) {
    if (!/^\d+$/.test(values[name])) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(values[name])}`);
  }
  const file = resolve(values.reader ?? values.page);
  const module = await import(pathToFileURL(file).href);
  const command = `mockllm-fuzz ${values.reader ? `--reader ${values.reader}` : `--page ${values.page}`} --url ${values.url}${values.framing !== "miniprogram" ? ` --framing ${values.framing}` : ""}`;
  const result = await fuzz({
    module,
    file,
    mode: values.reader ? "reader" : "page",
    server: values.url.replace(/\/+$/, ""),
    scenarios: positionals,
    framing: values.framing,
    path: values.path,
    question: values.question,
    cuts: Number(values.cuts),
    pairs: Number(values.pairs),
    only: values.only,
    token: values.token,
    timeoutMs: Number(values.timeout),
    command,
  });
  console.log(values.json ? JSON.stringify(result.reports, null, 2) : result.text);
  return result.ok ? 0 : 1;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof UsageError || error?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `${error.message}\n\n${USAGE}` : `mockllm-fuzz: ${error.message}`);
    process.exitCode = 2;
  },
);
