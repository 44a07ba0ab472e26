import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

// Two projects: the Node code (domain, runtime, handlers, workflows, stacks' pure parts and the
// cross-module suites in test/), and the dashboard under jsdom with Solid's compiler.
export default defineConfig({
  test: {
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
