/**
 * "Was this you?" (core/confirm/): the detections a person's own action triggers, the only ones
 * whose actor may be asked. Each names the action the actor took, for the question's wording.
 * Any other detection is refused in the configuration, with the reason below: asking the
 * principal of a GuardDuty finding, a failed sign-in or a correlation of many events whether
 * "this was you" asks the wrong person (or the attacker) about something they did not do.
 */
export const CONFIRMABLE_DETECTIONS = {
  "sg-ssh-open-world": "opened SSH to the world on a security group",
  "sg-high-risk-port-open": "opened a high-risk port to the world on a security group",
  "sg-created-open": "created a security group open to the world",
  "sg-rule-modified-open": "changed a security group rule to be open to the world",
  "access-key-created": "created an access key",
  "console-login-new-ip": "signed in to the console from a new address",
  "console-login-new-device": "signed in to the console from a new device",
  "lambda-url-public": "made a Lambda function URL public",
} as const satisfies Record<string, string>;

/**
 * Confirmations live in the approval store (the same single-use decision, the token kept
 * server-side, the resume after a crash); their ids set them apart from approvals.
 */
export const CONFIRMATION_PREFIX = "conf-";
export const isConfirmationId = (id: string) => id.startsWith(CONFIRMATION_PREFIX);

export type ConfirmableDetection = keyof typeof CONFIRMABLE_DETECTIONS;

export function isConfirmable(detection: string): detection is ConfirmableDetection {
  return Object.hasOwn(CONFIRMABLE_DETECTIONS, detection);
}

/** Why a detection may not be listed under `confirmation.detections`. */
export function notConfirmableReason(detection: string): string {
  return `"${detection}" is not triggered by a person's own action (only ${Object.keys(CONFIRMABLE_DETECTIONS).join(", ")} may ask their actor "was this you?")`;
}
