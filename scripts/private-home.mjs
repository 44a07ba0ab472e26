// A throwaway home directory for tools that install into the user's home. `sst install` keeps the
// Pulumi CLI in ~/.config/sst/bin; the placeholder pulumi written for offline type-checking must
// never land there, or a later real `sst deploy` on that machine would run it.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A temporary home under the system temp directory and the environment that points every home
 * lookup at it (HOME, USERPROFILE and the XDG directories: SST finds its config directory with Go's
 * os.UserConfigDir). npm keeps reading the user's own ~/.npmrc (registry and proxy settings), and
 * writes nothing there. `remove()` deletes the home and everything installed in it.
 *
 * @param {NodeJS.ProcessEnv} env the environment to start from (its HOME is the real home)
 * @returns {{ home: string, env: NodeJS.ProcessEnv, remove: () => void }}
 */
export function createPrivateHome(env) {
  const home = mkdtempSync(join(tmpdir(), "riposte-private-home-"));
  const privateEnv = {
    ...env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
  };
  const userNpmrc = env.HOME ? join(env.HOME, ".npmrc") : undefined;
  if (!env.npm_config_userconfig && userNpmrc && existsSync(userNpmrc)) privateEnv.npm_config_userconfig = userNpmrc;
  return { home, env: privateEnv, remove: () => rmSync(home, { recursive: true, force: true }) };
}
