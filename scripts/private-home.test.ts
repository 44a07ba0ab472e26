import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface PrivateHome {
  home: string;
  env: NodeJS.ProcessEnv;
  remove: () => void;
}
// A plain .mjs (scripts run with node, no build): loaded by URL, typed here.
const moduleUrl = new URL("./private-home.mjs", import.meta.url).href;
const { createPrivateHome } = (await import(moduleUrl)) as {
  createPrivateHome: (env: NodeJS.ProcessEnv) => PrivateHome;
};

describe("createPrivateHome (typecheck-infra's home for sst install)", () => {
  it("points every home lookup away from the user's home, keeps their .npmrc, and leaves nothing behind", () => {
    // Arrange: a stand-in for the user's home, with an .npmrc.
    const userHome = mkdtempSync(join(tmpdir(), "riposte-user-home-"));
    writeFileSync(join(userHome, ".npmrc"), "registry=http://127.0.0.1:1/\n");

    // Act: what sst install does with the home it is given.
    const privateHome = createPrivateHome({ HOME: userHome, XDG_CONFIG_HOME: join(userHome, ".config"), PATH: "/bin" });
    const bin = join(privateHome.env.XDG_CONFIG_HOME!, "sst", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho placeholder\n");
    privateHome.remove();

    // Assert
    expect(privateHome.env.HOME).toBe(privateHome.home);
    expect(privateHome.env.USERPROFILE).toBe(privateHome.home);
    expect(privateHome.env.XDG_CONFIG_HOME).toBe(join(privateHome.home, ".config"));
    expect(privateHome.env.PATH).toBe("/bin");
    expect(privateHome.env.npm_config_userconfig).toBe(join(userHome, ".npmrc"));
    expect(privateHome.home.startsWith(userHome)).toBe(false);
    expect(readdirSync(userHome)).toEqual([".npmrc"]);
    expect(() => readdirSync(privateHome.home)).toThrow(/ENOENT/);
  });
});
