import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root was not found above a module: the install is broken. */
export class PackageRootError extends Error {
  override name = "PackageRootError";
}

/**
 * The directory holding Riposte's package.json, found from a module's URL by walking up. A fixed
 * "../.." would be wrong for one of the two ways the code runs: from the sources (local/cli/x.ts)
 * or compiled one level deeper (dist/local/cli/x.js, in a checkout or an installed package).
 */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new PackageRootError(`no package.json above ${start}`);
  }
}
