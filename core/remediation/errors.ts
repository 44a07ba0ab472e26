/**
 * Remediation's own named errors (the shared ones — `RemediationNotAllowed`, `ResourceGone`,
 * `TransientError` — are in `core/errors.ts`).
 */

/** The target's state rules out any plan (a full IP set, no free rule number): the action fails. */
export class CannotPlan extends Error {
  override readonly name = "CannotPlan";
}
