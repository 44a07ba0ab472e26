import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../core/model/catalog.js";
import { perTask, TASK_NAMES, type TaskName } from "../core/model/tasks.js";
import { validateAsl } from "../test/workflows/asl-validator.js";
import { placeholder, placeholdersIn, workflowDefinition } from "../workflows/index.js";
import { FUNCTION_SPECS } from "./functions.js";
import { deployedDefinition, deployedStateMachineName, invokedFunctions, stateMachineArns } from "./workflows.js";

const arnOf = (task: TaskName) => `arn:aws:lambda:eu-west-1:123456789012:function:riposte-prod-${task}-a1b2c3d`;
const ARNS = perTask(arnOf);

describe("deployedDefinition", () => {
  it.each(CATEGORIES)("%s: every placeholder replaced by a deployed function, nothing else changed", (category) => {
    const source = workflowDefinition(category);

    const deployed = deployedDefinition(category, ARNS);

    expect(placeholdersIn(deployed)).toEqual([]);
    expect(JSON.stringify(deployed)).not.toContain("${");
    // Only the function names differ from the ASL the local interpreter runs.
    const back = JSON.parse(
      TASK_NAMES.reduce(
        (text, task) => text.replaceAll(arnOf(task), `\${${task[0]!.toUpperCase()}${task.slice(1)}Function}`),
        JSON.stringify(deployed),
      ),
    );
    expect(back).toEqual(source);
    expect(validateAsl(deployed)).toEqual({ valid: true, errors: "" });
  });

  it.each(CATEGORIES)("%s: invokes only deployed task functions, and every task function", (category) => {
    const invoked = invokedFunctions(deployedDefinition(category, ARNS));

    expect(invoked).toEqual(Object.values(ARNS).sort());
  });

  it("refuses a value that is not a Lambda function ARN", () => {
    expect(() => deployedDefinition("network", { ...ARNS, verify: placeholder("verify") })).toThrow(
      /verify function ARN .* is not a Lambda function ARN/,
    );
    expect(() =>
      deployedDefinition("network", { ...ARNS, open: "arn:aws:states:eu-west-1:123456789012:stateMachine:x" }),
    ).toThrow(/open function ARN/);
  });

  it("gives each function less time than the state that invokes it, so the function reports first", () => {
    for (const category of CATEGORIES) {
      const states = Object.values(deployedDefinition(category, ARNS).States);
      for (const state of states) {
        const name = (state.Arguments as { FunctionName?: string } | undefined)?.FunctionName;
        const task = TASK_NAMES.find((candidate) => arnOf(candidate) === name);
        if (!task || typeof state.TimeoutSeconds !== "number" || String(state.Resource).endsWith("waitForTaskToken")) {
          continue;
        }
        expect(FUNCTION_SPECS[task].timeoutSeconds, `${category} ${task}`).toBeLessThan(state.TimeoutSeconds);
      }
    }
  });
});

describe("stateMachineArns", () => {
  it("names every category's state machine as the stacks name it, without the resources", () => {
    const arns = stateMachineArns({ partition: "aws", region: "eu-west-1", account: "123456789012", stage: "prod" });

    expect(arns).toEqual(
      CATEGORIES.map(
        (category) =>
          `arn:aws:states:eu-west-1:123456789012:stateMachine:${deployedStateMachineName("prod", category)}`,
      ),
    );
    expect(arns).toContain("arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-network");
  });
});
