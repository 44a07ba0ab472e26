import { describe, expect, it } from "vitest";
import { compileTemplate, isExpression } from "./jsonata.js";

const env = { now: () => Date.UTC(2026, 0, 1), random: () => 0.5 };
const site = { state: "S", field: "Output" };
const scope = (input: unknown, variables: Record<string, unknown> = {}) => ({
  states: { input, context: {} },
  variables,
});

describe("ASL JSONata templates", () => {
  it("evaluates only whole {% … %} strings, at any depth", async () => {
    const template = compileTemplate(
      { a: "{% $states.input.x + 1 %}", b: ["{% $y %}", "plain {% not %}"], c: " {% 1 %}" },
      site,
      env,
    );

    expect(await template(scope({ x: 1 }, { y: "why" }))).toEqual({
      a: 2,
      b: ["why", "plain {% not %}"],
      c: " {% 1 %}",
    });
    expect(isExpression("{% 1 %}")).toBe(true);
    expect(isExpression(" {% 1 %}")).toBe(false);
  });

  it("hands on plain arrays, not JSONata sequences (between states, values are JSON)", async () => {
    const template = compileTemplate("{% $states.input.items[v > 1] %}", site, env);

    const value = await template(scope({ items: [{ v: 1 }, { v: 2 }, { v: 3 }] }));

    expect(value).toEqual([{ v: 2 }, { v: 3 }]);
    expect(Object.keys(value as object)).toEqual(["0", "1"]);
  });

  it("fails with States.QueryEvaluationError naming the state and the field", async () => {
    const template = compileTemplate({ deep: "{% $missing %}" }, site, env);

    await expect(template(scope({}))).rejects.toMatchObject({
      name: "StateFailure",
      error: "States.QueryEvaluationError",
      location: "Output.deep",
      cause: expect.stringContaining('field Output.deep of state "S"'),
    });
  });

  it("refuses a function as a value", async () => {
    const template = compileTemplate("{% function($x) { $x } %}", site, env);

    await expect(template(scope({}))).rejects.toMatchObject({ error: "States.QueryEvaluationError" });
  });

  it("fails a runaway recursion with States.QueryEvaluationError instead of exhausting the process", async () => {
    const template = compileTemplate("{% ($loop := function($n) { $loop($n + 1) + 1 }; $loop(0)) %}", site, env);

    await expect(template(scope({}))).rejects.toMatchObject({
      error: "States.QueryEvaluationError",
      cause: expect.stringContaining("stack overflow"),
    });
  });

  it("gives each evaluation its own budget: many evaluations of one expression all succeed", async () => {
    const template = compileTemplate("{% $sum([1..100]) %}", site, env);

    const results = await Promise.all(Array.from({ length: 50 }, () => template(scope({}))));

    expect(results).toEqual(Array.from({ length: 50 }, () => 5050));
  });
});
