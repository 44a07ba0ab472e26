import { describe, expect, it } from "vitest";
import { InvalidDefinition } from "./errors.js";
import { loadDefinition } from "./load.js";

const env = { now: () => 0, random: () => 0.5 };

function problemsOf(definition: unknown): string[] {
  try {
    loadDefinition(definition, env);
  } catch (error) {
    if (error instanceof InvalidDefinition) return error.problems;
    throw error;
  }
  return [];
}

function machine(states: Record<string, unknown>, startAt = Object.keys(states)[0]): Record<string, unknown> {
  return { QueryLanguage: "JSONata", StartAt: startAt, States: states };
}

const lambda = { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: "f" } };

describe("loadDefinition", () => {
  it("compiles a valid JSONata machine with defaults filled in", () => {
    const compiled = loadDefinition(
      machine({
        Call: { ...lambda, Retry: [{ ErrorEquals: ["TransientError"] }], Next: "Done" },
        Done: { Type: "Succeed" },
      }),
      env,
    );

    const call = compiled.states.get("Call");
    expect(call?.type).toBe("Task");
    expect(call?.type === "Task" && call.retry[0]).toMatchObject({
      intervalSeconds: 1,
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: "NONE",
    });
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [
      "a JSONPath machine",
      { StartAt: "A", States: { A: { Type: "Pass", End: true } } },
      /state "A": QueryLanguage JSONPath/,
    ],
    [
      "a JSONPath field",
      machine({ A: { Type: "Pass", ResultPath: "$.x", End: true } }),
      /state "A": ResultPath is JSONPath/,
    ],
    [
      "a .$ key",
      machine({ A: { ...lambda, Arguments: { "FunctionName.$": "$.f" }, End: true } }),
      /Arguments\.FunctionName\.\$ uses the JSONPath/,
    ],
    [
      "an sns:publish task (Riposte's workflows call Lambda functions only)",
      machine({ A: { Type: "Task", Resource: "arn:aws:states:::sns:publish", End: true } }),
      /state "A": Resource "arn:aws:states:::sns:publish" is not supported/,
    ],
    [
      "a Lambda function ARN as the resource",
      machine({ A: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:direct", End: true } }),
      /state "A": Resource "arn:aws:lambda:us-east-1:000000000000:function:direct" is not supported/,
    ],
    [
      "an unknown resource",
      machine({ A: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", End: true } }),
      /state "A": Resource "arn:aws:states:::dynamodb:putItem" is not supported/,
    ],
    [
      "a Map state (Riposte's workflows have none)",
      machine({
        M: {
          Type: "Map",
          ItemProcessor: { StartAt: "X", States: { X: { Type: "Pass", End: true } } },
          End: true,
        },
      }),
      /state "M": Map states are not run by the local interpreter/,
    ],
    [
      "a Parallel state",
      machine({
        P: { Type: "Parallel", Branches: [{ StartAt: "X", States: { X: { Type: "Pass", End: true } } }], End: true },
      }),
      /state "P": Parallel states are not run by the local interpreter/,
    ],
    [
      "an unknown field",
      machine({ A: { Type: "Pass", Seconds: 3, End: true } }),
      /state "A": field Seconds is not supported/,
    ],
    ["a missing transition", machine({ A: { Type: "Pass", Next: "Nowhere" } }), /state "A": transition to "Nowhere"/],
    [
      "an unreachable state",
      machine({ A: { Type: "Succeed" }, B: { Type: "Succeed" } }),
      /state "B": is not reachable/,
    ],
    ["Next and End together", machine({ A: { Type: "Pass", Next: "A", End: true } }), /has both Next and End/],
    [
      "States.ALL not last",
      machine({
        A: {
          ...lambda,
          Retry: [{ ErrorEquals: ["States.ALL"] }, { ErrorEquals: ["X"] }],
          End: true,
        },
      }),
      /States\.ALL must appear alone, in the last entry/,
    ],
    [
      "a bad jitter strategy",
      machine({ A: { ...lambda, Retry: [{ ErrorEquals: ["X"], JitterStrategy: "SOME" }], End: true } }),
      /JitterStrategy must be FULL or NONE/,
    ],
    [
      "a JSONata syntax error",
      machine({ A: { Type: "Pass", Output: "{% $states.input. %}", End: true } }),
      /state "A": Output is not valid JSONata/,
    ],
    [
      "$states.result outside Output/Assign of a task",
      machine({ A: { Type: "Pass", Output: "{% $states.result %}", End: true } }),
      /\$states\.result is only available/,
    ],
    [
      "$states.errorOutput outside a Catch",
      machine({ A: { ...lambda, Output: "{% $states.errorOutput %}", End: true } }),
      /\$states\.errorOutput is only available in a Catch/,
    ],
    ["$eval", machine({ A: { Type: "Pass", Output: "{% $eval('1') %}", End: true } }), /\$eval is not available/],
    [
      "the context value $ (Step Functions gives none)",
      machine({ A: { Type: "Pass", Output: { x: "{% $.x %}" }, End: true } }),
      /state "A", field Output\.x: refers to \$, which Step Functions does not provide/,
    ],
    ["the root $$", machine({ A: { Type: "Pass", Output: "{% $$.x %}", End: true } }), /refers to \$\$/],
    [
      "?? (JSONata 2.1, newer than the 2.0.6 Step Functions runs)",
      machine({ A: { Type: "Pass", Output: "{% $states.input.x ?? 1 %}", End: true } }),
      /state "A": Output is not valid JSONata/,
    ],
    [
      "?: (JSONata 2.1)",
      machine({ A: { Type: "Pass", Output: "{% $states.input.x ?: 1 %}", End: true } }),
      /state "A": Output is not valid JSONata/,
    ],
    [
      "a callback task without the token",
      machine({ A: { ...lambda, Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", End: true } }),
      /must pass \$states\.context\.Task\.Token/,
    ],
    ["a reserved variable", machine({ A: { Type: "Pass", Assign: { states: 1 }, End: true } }), /"states" is reserved/],
    [
      "JSONPath choice rules",
      machine({
        C: { Type: "Choice", Choices: [{ Variable: "$.x", NumericEquals: 1, Next: "D" }], Default: "D" },
        D: { Type: "Succeed" },
      }),
      /Condition must be a JSONata expression/,
    ],
  ])("refuses %s, naming the state", (_label, definition, expected) => {
    const problems = problemsOf(definition);

    expect(problems.join("\n")).toMatch(expected);
  });

  it("reports every problem of a definition at once", () => {
    const problems = problemsOf(
      machine({
        A: { Type: "Pass", InputPath: "$", Next: "Gone" },
        B: { Type: "Task", Resource: "arn:aws:states:::glue:startJobRun", End: true },
      }),
    );

    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it("accepts $ inside string and regex literals, variables and $states", () => {
    const output = "{% $states.input.price & ' $' & $replace($name, /\\$\\d/, '$$') %}";

    expect(problemsOf(machine({ A: { Type: "Pass", Assign: { name: "x" }, Output: output, End: true } }))).toEqual([]);
  });
});
