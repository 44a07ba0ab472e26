import { closeSync, fstatSync, openSync, writeSync } from "node:fs";

/**
 * Test fixture: damage a closed SQLite file the two ways a disk or a careless copy does. Used by
 * the integrity tests and by test/adversarial/datadir.test.ts.
 */

const PAGE = 4096;

function overwrite(file: string, position: (size: number) => number, bytes: Buffer): void {
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, position(fstatSync(fd).size));
  } finally {
    closeSync(fd);
  }
}

/** Replace the 100-byte header ("SQLite format 3\0", page size…) with text. */
export function garbleHeader(file: string): void {
  overwrite(file, () => 0, Buffer.from("not a database, just some text ".repeat(4).slice(0, 100)));
}

/**
 * Overwrite one page in the middle of the file, from its header through its cell pointers,
 * leaving the header and the first pages alone: the file opens, its schema reads, and only a
 * check of the pages themselves (or a query that reaches that page) finds the damage.
 */
export function garbleMiddlePage(file: string): { page: number } {
  let page = 0;
  overwrite(
    file,
    (size) => {
      const pages = Math.floor(size / PAGE);
      if (pages < 8) throw new Error(`${file} has ${pages} pages; populate it first so a middle page exists`);
      page = Math.floor(pages / 2);
      return page * PAGE;
    },
    Buffer.alloc(512, 0xa5),
  );
  return { page };
}
