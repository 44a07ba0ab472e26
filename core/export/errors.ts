/**
 * A finding that cannot be written in an export format (an account id that is not 12 digits, no
 * region, an unreadable time…): names the finding, the format and every problem, so the scan can
 * report it instead of printing something the consumer rejects.
 */
export class UnexportableFinding extends Error {
  override readonly name = "UnexportableFinding";

  constructor(
    readonly format: "asff" | "ocsf",
    readonly findingId: string,
    readonly problems: readonly string[],
  ) {
    super(`finding ${findingId} cannot be exported as ${format.toUpperCase()}: ${problems.join("; ")}`);
  }
}
