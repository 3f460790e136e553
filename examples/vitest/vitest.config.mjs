// vitest starts one mockllm for the whole run (globalSetup); each test file connects to it.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./global-setup.mjs"],
  },
});
