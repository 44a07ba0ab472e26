/** What a rule id's text must be (`rule-id.ts`'s schema, and the cached rules' check, which loads no validator). */
export const RULE_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const RULE_ID_MAX_LENGTH = 64;
