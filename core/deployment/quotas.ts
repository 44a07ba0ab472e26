/** EventBridge's default quota on the size of an event pattern, in characters. */
export const MAX_PATTERN_CHARS = 2048;
