// Test-only fault injection, loaded into a child `riposte serve` with `node --import` by
// test/adversarial/approvals-crash.test.ts; no production code knows of it. When
// RIPOSTE_TEST_CRASH_AT is set, the process kills itself (SIGKILL: no shutdown, like a power
// cut) right after the first SQLite statement whose SQL and parameters match that regular
// expression has run, once the synchronous code around it (its transaction) has finished.
import { createRequire } from "node:module";

const pattern = process.env.RIPOSTE_TEST_CRASH_AT;
if (pattern) {
  const match = new RegExp(pattern, "s");
  const require = createRequire(import.meta.url);
  const Database = require("better-sqlite3");
  const probe = new Database(":memory:");
  const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1"));
  probe.close();
  const run = Statement.run;
  let armed = true;
  Statement.run = function crashAfterMatchingRun(...params) {
    const result = run.apply(this, params);
    if (armed && match.test(`${this.source}\n${JSON.stringify(params)}`)) {
      armed = false;
      queueMicrotask(() => process.kill(process.pid, "SIGKILL"));
    }
    return result;
  };
}
