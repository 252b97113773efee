import { defineConfig } from "vitest/config";

// Integration tests start real Postgres clusters and servers: run files in separate
// processes, a few at a time (this machine has 2 cores), with generous timeouts.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
