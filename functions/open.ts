import { deployedRule, findingFromRuleEvent } from "../core/incidents/from-event.js";
import { openIncident } from "../core/incidents/open.js";
import { isDetectionId } from "../core/model/catalog.js";
import { OpenInputSchema, OpenOutputSchema } from "../core/model/tasks.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/**
 * Open: the workflow's first task. The input is a finding (local runtime, correlate function) or
 * one event a deployed rule selected; the incident is stored NEW, idempotently, and a duplicate
 * delivery is reported so the workflow ends without doing anything. A user's rule id must be one
 * of the deployment's rules (`deps.rules`), in either input.
 */
export const openTask = defineTask({
  name: "open",
  input: OpenInputSchema,
  output: OpenOutputSchema,
  run: ({ input, execution }, deps) => {
    const rules = deps.rules ?? [];
    const finding =
      "finding" in input ? input.finding : findingFromRuleEvent(input.detection, input.event, deps.config, rules);
    if (!isDetectionId(finding.detection)) deployedRule(finding.detection, rules);
    return openIncident(finding, execution, deps);
  },
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(openTask);
