/**
 * Vitest globalSetup for the node tests: compile dist/ (scripts/build-cli.mjs) when it is missing
 * or older than a source, once, before any test runs. Tests that spawn `node bin/riposte.mjs` then
 * run the current code, compiled (bin/riposte.mjs would otherwise fall back to the slower tsx).
 */
interface BuildCli {
  buildCli(options?: { force?: boolean }): Promise<unknown>;
}

export default async function compileCli(): Promise<void> {
  // A plain .mjs (run by node in `npm ci`, before any TypeScript tooling): loaded by URL, typed here.
  const { buildCli } = (await import(new URL("../../scripts/build-cli.mjs", import.meta.url).href)) as BuildCli;
  await buildCli();
}
