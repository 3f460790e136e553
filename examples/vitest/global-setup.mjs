// Start mockllm once before every test file and stop it after the last (vitest `globalSetup`).
import { fileURLToPath } from "node:url";
import { startMockllm } from "mockllm-node";

let server;

export async function setup({ provide }) {
  // A subprocess on a free port of 127.0.0.1 ($MOCKLLM_PYTHON or python3 runs it), serving this folder's scenarios.
  server = await startMockllm({ scenarios: fileURLToPath(new URL("./scenarios", import.meta.url)) });
  provide("mockllmUrl", server.url);
}

export async function teardown() {
  await server?.stop();
}
