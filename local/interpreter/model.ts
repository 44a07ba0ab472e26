import type { Template } from "./jsonata.js";

/**
 * The compiled form of an ASL definition: every JSONata field turned into a `Template`, defaults
 * filled in, and the graph checked. The interpreter only ever runs this form.
 */

export type JitterStrategy = "FULL" | "NONE";

export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitterStrategy: JitterStrategy;
}

export interface Catcher {
  errorEquals: string[];
  next: string;
  output?: Template;
  assign?: Template;
}

/** What a Task calls. `resourceType`/`resource` are how history events name it. */
export interface TaskResource {
  kind: "lambda-invoke";
  waitForTaskToken: boolean;
  arn: string;
  resourceType: string;
  resource: string;
}

interface StateBase {
  name: string;
  comment?: string;
  next?: string;
  end: boolean;
  output?: Template;
  assign?: Template;
}

export interface TaskState extends StateBase {
  type: "Task";
  resource: TaskResource;
  arguments?: Template;
  timeoutSeconds?: Template;
  heartbeatSeconds?: Template;
  retry: Retrier[];
  catch: Catcher[];
}

export interface ChoiceRule {
  condition: Template;
  next: string;
  output?: Template;
  assign?: Template;
}

export interface ChoiceState extends StateBase {
  type: "Choice";
  choices: ChoiceRule[];
  default?: string;
}

export interface PassState extends StateBase {
  type: "Pass";
}

export interface WaitState extends StateBase {
  type: "Wait";
  seconds?: Template;
  timestamp?: Template;
}

export interface SucceedState extends StateBase {
  type: "Succeed";
}

export interface FailState extends StateBase {
  type: "Fail";
  error?: Template;
  cause?: Template;
}

export type State = TaskState | ChoiceState | PassState | WaitState | SucceedState | FailState;

/** One `States` map with its start: the machine's. */
export interface StateGraph {
  startAt: string;
  states: Map<string, State>;
}

export interface CompiledMachine extends StateGraph {
  comment?: string;
  /** Execution timeout (top-level TimeoutSeconds). */
  timeoutSeconds?: number;
  /** The definition exactly as given (what DescribeStateMachine returns). */
  definition: unknown;
  /** sha256 of the definition: a checkpoint taken under another definition is resumed by state name. */
  hash: string;
}
