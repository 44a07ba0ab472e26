import { availableParallelism } from "node:os";
import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

// Two projects: the Node code (domain, runtime, handlers, workflows, stacks' pure parts and the
// cross-module suites in test/), and the dashboard under jsdom with Solid's compiler.
export default defineConfig({
  test: {
    // Vitest's default, one fewer than the cores, is a single worker on a 2-core CI machine; the
    // slow files mostly wait on the processes they spawn (serve, moto, Chromium), so two run there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: [
            "core/**/*.test.ts",
            "local/**/*.test.ts",
            "functions/**/*.test.ts",
            "workflows/**/*.test.ts",
            "infra/**/*.test.ts",
            "stacks/**/*.test.ts",
            "scripts/**/*.test.ts",
            "test/**/*.test.ts",
          ],
          // Tests spawn bin/riposte.mjs: compile dist/ first if a source changed since the last build.
          globalSetup: ["./test/support/compile-cli.global.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [solid({ hot: false })],
        resolve: { conditions: ["development", "browser"] },
        test: {
          name: "web",
          environment: "jsdom",
          include: ["web/src/**/*.test.{ts,tsx}"],
          setupFiles: ["./web/src/test-setup.ts"],
        },
      },
    ],
  },
});
