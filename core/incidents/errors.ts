/**
 * The event a deployed EventBridge rule selected holds no finding once the detection's own checks
 * run (the pattern is a pre-filter). The workflow catches this name and ends quietly.
 */
export class NoFinding extends Error {
  override readonly name = "NoFinding";
}
