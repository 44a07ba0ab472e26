import { availableParallelism } from "node:os";
import solid from "vite-plugin-solid";
import { configDefaults, defineConfig } from "vitest/config";

// Run by themselves, after the rest: the 10,000-event burst measures the runtime under its own load,
// and the browser suite drives Chromium and rebuilds web/dist (both flaky beside another file).
const ALONE = ["test/serve/burst.test.ts", "test/e2e/dashboard.test.ts"];
// Tests spawn bin/riposte.mjs: compile dist/ first if a source changed since the last build.
const NODE = {
  environment: "node" as const,
  globalSetup: ["./test/support/compile-cli.global.ts", "./test/support/temp-dir.global.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

// Three projects: the Node code (domain, runtime, handlers, workflows, stacks' pure parts and the
// cross-module suites in test/), the few Node suites that run alone, and the dashboard under jsdom
// with Solid's compiler.
export default defineConfig({
  test: {
    // Vitest's default, one fewer than the cores, is a single worker on a 2-core CI machine; the
    // slow files mostly wait on the processes they spawn (serve, moto, Chromium), so two run there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          ...NODE,
          name: "node",
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
          exclude: [...configDefaults.exclude, ...ALONE],
        },
      },
      {
        test: { ...NODE, name: "node-alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
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
