import { randomUUID } from "node:crypto";
import type { Logger } from "../../core/log.js";
import { StateFailure } from "./errors.js";
import { isObject } from "./load-fields.js";

/**
 * The service integration a Task can call locally: `lambda:invoke`, resolved to in-process
 * functions (the same handlers the Lambda functions run). Results and errors have the shapes
 * Step Functions gives them.
 */

/** An in-process stand-in for a Lambda function: JSON in, JSON out, errors by `name`. */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

/** Finds the function for a FunctionName (name, full or partial ARN, optionally qualified). */
export type FunctionResolver = (functionName: string) => LocalFunction | undefined;

/** `my-fn`, `123456789012:function:my-fn`, `arn:aws:lambda:…:function:my-fn[:alias]` → `my-fn`. */
export function functionNameOf(value: string): string {
  const match = /(?:^|:)function:([^:]+)/.exec(value);
  return match?.[1] ?? value;
}

function sdkMetadata(status: number): Record<string, unknown> {
  return {
    SdkHttpMetadata: { HttpStatusCode: status, HttpHeaders: { "Content-Type": "application/json" } },
    SdkResponseMetadata: { RequestId: randomUUID() },
  };
}

/** A resource's answer and its JSON text (made once: the history records it as is). */
export interface Answer {
  value: unknown;
  text: string;
}

function answer(value: unknown): Answer {
  return { value, text: JSON.stringify(value) };
}

/** A Lambda function error as Step Functions reports it: `errorType` as the error name. */
export function functionError(error: unknown): StateFailure {
  const errorType = error instanceof Error ? error.name || "Error" : "Error";
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack ?? "").split("\n").slice(1, 11) : [];
  return new StateFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/**
 * Call a function as over the wire: it gets its own copy of the payload (parsed from JSON text)
 * and its return value is copied back through JSON, so neither side shares objects.
 */
async function callFunction(fn: LocalFunction, payload: () => unknown): Promise<Answer> {
  let result: unknown;
  try {
    result = await fn(payload());
  } catch (error) {
    throw functionError(error);
  }
  const text = JSON.stringify(result ?? null);
  return { value: JSON.parse(text), text };
}

function resolve(functions: FunctionResolver, name: unknown): LocalFunction {
  if (typeof name !== "string" || name.length === 0) {
    throw new StateFailure("Lambda.InvalidParameterValueException", "FunctionName must be a non-empty string");
  }
  const fn = functions(name);
  if (!fn) throw new StateFailure("Lambda.ResourceNotFoundException", `Function not found: ${name}`);
  return fn;
}

/**
 * `arn:aws:states:::lambda:invoke`: the result carries the function's return value as `Payload`.
 * `argsText` is the Arguments' JSON text; the function's copy of its payload is parsed from it.
 */
export async function invokeLambdaIntegration(
  functions: FunctionResolver,
  args: unknown,
  argsText: string,
  logger: Logger,
): Promise<Answer> {
  if (!isObject(args)) throw new StateFailure("Lambda.InvalidParameterValueException", "Arguments must be an object");
  const fn = resolve(functions, args.FunctionName);
  const payload = () => (JSON.parse(argsText) as { Payload?: unknown }).Payload ?? {};
  if (args.InvocationType === "Event") {
    // Asynchronous invocation: accepted, not awaited; its failure is the function's own business.
    void callFunction(fn, payload).catch((error: StateFailure) =>
      logger.warn("asynchronous function invocation failed", { function: args.FunctionName, error: error.error }),
    );
    return answer({ Payload: "", StatusCode: 202, ...sdkMetadata(202) });
  }
  if (args.InvocationType === "DryRun") return answer({ Payload: "", StatusCode: 204, ...sdkMetadata(204) });
  const result = await callFunction(fn, payload);
  const metadata = sdkMetadata(200);
  return {
    value: { ExecutedVersion: "$LATEST", Payload: result.value, StatusCode: 200, ...metadata },
    // The envelope around the payload's text, without serialising the payload twice.
    text: `{"ExecutedVersion":"$LATEST","Payload":${result.text},"StatusCode":200,${JSON.stringify(metadata).slice(1)}`,
  };
}
