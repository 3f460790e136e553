// Node's global fetch (undici) reads each case: stdin a JSON array of {name, url, headers, body}; stdout JSON lines.
import { readAll, stdinJson } from "./reader.mjs";

for (const seen of await readAll(await stdinJson())) console.log(JSON.stringify(seen));
