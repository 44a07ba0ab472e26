import { describe, expect, it } from "vitest";
import { CorruptDatabaseError } from "../../../core/store/sqlite/integrity.js";
import { DAMAGED_LOCK, DataDirUnusableError } from "../../runtime/data-dir.js";
import { DataDirInUseError } from "../../runtime/data-dir-lock.js";
import { startupFailure } from "./serve-errors.js";

describe("startupFailure", () => {
  it("names the holder of a data directory in use, exit 2", () => {
    const owner = { pid: 4242, host: "box", startedAt: "2026-12-06T18:00:00.000Z", version: "0.1.0" };

    const failure = startupFailure(new DataDirInUseError("/srv/riposte", owner));

    expect(failure).toEqual({
      line: "the data directory /srv/riposte is in use by another riposte serve (pid 4242 on box, started 2026-12-06T18:00:00.000Z); stop it first, or give another --data-dir",
      code: 2,
    });
  });

  it("names an unwritable data directory and the problem, exit 2", () => {
    const readOnly = startupFailure(
      new DataDirUnusableError("/srv/riposte", "is not writable: read-only file system (EROFS)", "EROFS"),
    );
    const denied = startupFailure(
      new DataDirUnusableError("/srv/riposte/riposte.db", "is not writable: permission denied (EACCES)", "EACCES"),
    );

    expect(readOnly).toEqual({
      line: "/srv/riposte is not writable: read-only file system (EROFS); give a --data-dir on a writable file system",
      code: 2,
    });
    expect(denied?.line).toBe(
      "/srv/riposte/riposte.db is not writable: permission denied (EACCES); fix its permissions, or give another --data-dir",
    );
  });

  it("says a damaged lock file may be deleted, exit 2", () => {
    const failure = startupFailure(
      new DataDirUnusableError("/srv/riposte/riposte.lock", "is damaged (file is not a database)", DAMAGED_LOCK),
    );

    expect(failure).toEqual({
      line: "/srv/riposte/riposte.lock is damaged (file is not a database); delete it (it holds no data, only the lock) and start again",
      code: 2,
    });
  });

  it("names a damaged database and the flag that moves it aside, exit 1", () => {
    const failure = startupFailure(new CorruptDatabaseError("/srv/riposte/riposte.db", "file is not a database"));

    expect(failure?.code).toBe(1);
    expect(failure?.line).toBe(
      "/srv/riposte/riposte.db is damaged (file is not a database); restore it from a backup, or start with --reset-corrupt-db to move it aside and begin with an empty one",
    );
  });

  it("leaves every other error to the internal-error path", () => {
    expect(startupFailure(new Error("boom"))).toBeUndefined();
  });
});
