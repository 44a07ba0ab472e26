/**
 * An event pattern that EventBridge would reject. `path` names where the problem is, in the
 * pattern's own terms (`detail.eventName[1]`, `$or[0].source`), and `problem` says what is wrong.
 */
export class InvalidPattern extends Error {
  override readonly name = "InvalidPattern";
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `invalid event pattern at ${path}: ${problem}` : `invalid event pattern: ${problem}`);
  }
}
