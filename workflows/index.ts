import { CATEGORIES, type Category } from "../core/model/catalog.js";
import type { AslStateMachine } from "./asl.js";
import { identityWorkflow } from "./identity.js";
import { loggingWorkflow } from "./logging.js";
import { networkWorkflow } from "./network.js";
import { storageWorkflow } from "./storage.js";
import { threatWorkflow } from "./threat.js";

/**
 * Riposte's workflows: one ASL (JSONata) state machine per detection category, all built from
 * one skeleton. The AWS stacks deploy these definitions (Lambda ARNs substituted for the
 * `${…Function}` placeholders) and the local interpreter runs them unchanged.
 */

export type { AslState, AslStateMachine } from "./asl.js";
export { THROTTLING_ERRORS, TRANSIENT_ERRORS, throttlingRetry, transientRetry } from "./asl.js";
export {
  FUNCTION_PLACEHOLDERS,
  type FunctionPlaceholder,
  placeholder,
  placeholdersIn,
  substitutePlaceholders,
} from "./functions.js";
export { type CategoryProfile, incidentWorkflow } from "./skeleton.js";

export const WORKFLOWS: Readonly<Record<Category, AslStateMachine>> = {
  identity: identityWorkflow,
  logging: loggingWorkflow,
  network: networkWorkflow,
  storage: storageWorkflow,
  threat: threatWorkflow,
};

/** The category's definition (a deep copy: callers may substitute or annotate it freely). */
export function workflowDefinition(category: Category): AslStateMachine {
  return structuredClone(WORKFLOWS[category]);
}

/** The state machine's name, locally and (with the stage prefix SST adds) on AWS. */
export function stateMachineName(category: Category): string {
  return `riposte-${category}`;
}

/** Every category with its definition, in catalog order. */
export function allWorkflows(): { category: Category; name: string; definition: AslStateMachine }[] {
  return CATEGORIES.map((category) => ({
    category,
    name: stateMachineName(category),
    definition: workflowDefinition(category),
  }));
}
