import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { allWorkflows } from "./index.js";

/**
 * Write each category's definition as `<category>.asl.json` in `dir` (created if missing), with
 * the Lambda references left as `${NameOfFunction}` placeholders. Returns the files written.
 */
export async function exportWorkflows(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const { category, definition } of allWorkflows()) {
    const file = join(dir, `${category}.asl.json`);
    await writeFile(file, `${JSON.stringify(definition, null, 2)}\n`, "utf8");
    files.push(file);
  }
  return files;
}
