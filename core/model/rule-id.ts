import { z } from "zod";
import { isDetectionId } from "./catalog.js";
import { RULE_ID_MAX_LENGTH, RULE_ID_PATTERN } from "./rule-id-text.js";

/**
 * Ids of users' own rules (a rules directory, Sigma imports): kebab-case like the built-in ids,
 * never one of them. Branded so that code typed on the built-in `DetectionId` union (ASFF types,
 * default responses, configuration keys) cannot be handed a rule id without checking which it is
 * (`isDetectionId`). A finding names either; its `category` says which workflow it takes.
 */

export { RULE_ID_MAX_LENGTH, RULE_ID_PATTERN };

export const RuleIdSchema = z
  .string()
  .max(RULE_ID_MAX_LENGTH, `at most ${RULE_ID_MAX_LENGTH} characters`)
  .regex(RULE_ID_PATTERN, "expected a kebab-case id: lowercase letters and digits separated by single hyphens")
  .refine((id) => !isDetectionId(id), { message: "this id is a built-in detection's; choose another" })
  .brand<"RuleId">();

/** The id of a user's rule (not a built-in detection id). */
export type RuleId = z.infer<typeof RuleIdSchema>;
