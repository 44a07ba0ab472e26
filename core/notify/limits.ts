/**
 * Slack Block Kit limits (docs.slack.dev, Block Kit reference). Exceeding any of them makes
 * `chat.postMessage` fail with `invalid_blocks`, so every rendered string is cut to fit.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** The top-level `text` (notification fallback); Slack truncates beyond 40,000. */
  messageText: 4000,
} as const;

/** SNS limits (Publish API reference). */
export const SNS_LIMITS = {
  /** Subjects: no line breaks or control characters, fewer than 100 characters. */
  subject: 99,
  /** One SMS segment of ASCII text. */
  sms: 140,
  /** Whole message, in bytes; we keep far below it. */
  messageBytes: 262_144,
} as const;
