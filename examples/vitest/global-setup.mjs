// Start mockllm once before every test file and stop it after the last (vitest `globalSetup`).
import { startMockllm } from "mockllm-node";

let server;

export async function setup({ provide }) {
  server = await startMockllm({ scenarios: "./scenarios" });
  provide("mockllmUrl", server.url);
}

export async function teardown() {
  await server?.stop();
}
