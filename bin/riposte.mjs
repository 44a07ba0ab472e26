#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx, then hand over to the CLI.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../local/cli/run.ts");
await runCli(process.argv.slice(2));
