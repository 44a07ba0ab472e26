import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import jsonata from "jsonata";
import type { HistoryEvent } from "../../core/model/history.js";
import type { TaskCallbacks } from "../../core/store/ports.js";
import type { FunctionResolver } from "../../local/interpreter/integrations.js";

/**
 * moto's Step Functions engine (a port of LocalStack's ASL interpreter) as a second engine for
 * the workflows, driven through `moto_driver.py` on stdin/stdout. The driver calls back here for
 * each JSONata evaluation (npm jsonata, the version AWS runs) and each Lambda invocation (the
 * in-process handlers `functions` resolves). No port is opened: everything goes through the pipes.
 */

export const MOTO_DRIVER = fileURLToPath(new URL("./moto_driver.py", import.meta.url));

export type MotoProbe =
  | { state: "ready"; version: string }
  | { state: "absent"; reason: string }
  | { state: "drift"; reason: string };

/**
 * Whether the pinned moto is installed, by running the driver's own pin checks. "absent" skips
 * (unless RIPOSTE_REQUIRE_MOTO=1, where it throws); "drift" (another version, a moved internal)
 * always throws, naming what moved: a differential against something else proves nothing.
 */
export function probeMoto(): MotoProbe {
  const run = spawnSync("python3", [MOTO_DRIVER, "--check"], { encoding: "utf8" });
  const line = (run.stdout ?? "").trim().split("\n").at(-1) ?? "";
  let report: { ready?: boolean; moto?: string; absent?: string; drift?: string } = {};
  try {
    report = JSON.parse(line);
  } catch {
    // python3 itself is missing, or the driver died before reporting
  }
  let probe: MotoProbe;
  if (run.status === 0 && report.ready) probe = { state: "ready", version: String(report.moto) };
  else if (run.status === 3 && report.drift) probe = { state: "drift", reason: report.drift };
  else {
    probe = {
      state: "absent",
      reason: report.absent ?? `python3 ${MOTO_DRIVER} --check failed: ${run.error?.message ?? run.stderr?.trim()}`,
    };
  }
  if (probe.state === "drift") throw new Error(`moto drifted from the pinned version: ${probe.reason}`);
  if (probe.state === "absent" && process.env.RIPOSTE_REQUIRE_MOTO === "1") {
    throw new Error(`moto is required (RIPOSTE_REQUIRE_MOTO=1) but unusable here: ${probe.reason}`);
  }
  return probe;
}

export interface MotoDescription {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface MotoEngine {
  /** Delete every state machine and execution (moto's reset API). */
  reset(): Promise<void>;
  createStateMachine(name: string, definition: unknown): Promise<string>;
  startExecution(stateMachineArn: string, name: string, input: unknown): Promise<string>;
  describeExecution(executionArn: string): Promise<MotoDescription>;
  getExecutionHistory(executionArn: string): Promise<HistoryEvent[]>;
  /** The handlers' TaskCallbacks: SendTaskSuccess/Failure/Heartbeat on moto. */
  callbacks: TaskCallbacks;
  /** Calls handled so far, by kind (how many JSONata evaluations and invocations moto asked for). */
  counts: { jsonata: number; invoke: number };
  stop(): Promise<void>;
}

interface Message {
  call?: number | string;
  reply?: number | string;
  op?: string;
  ok?: unknown;
  error?: string;
  ready?: boolean;
  [field: string]: unknown;
}

/** A Lambda invocation's answer as the Lambda service gives it: a function error is `Unhandled`. */
async function invoke(functions: FunctionResolver, name: string, payload: unknown) {
  const fn = functions(name);
  if (!fn) throw new Error(`no local function for ${name}`);
  try {
    return { payload: (await fn(payload)) ?? null };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return {
      functionError: "Unhandled",
      payload: { errorType: failure.name || "Error", errorMessage: failure.message, trace: [] },
    };
  }
}

async function evaluate(expression: string): Promise<unknown> {
  // moto inlines every binding into the text: the expression is closed, evaluated without input.
  const value = await jsonata(expression).evaluate(null);
  return value === undefined ? null : value;
}

export async function startMotoEngine(functions: FunctionResolver, readyTimeoutMs = 60_000): Promise<MotoEngine> {
  const child: ChildProcess = spawn("python3", [MOTO_DRIVER], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const counts = { jsonata: 0, invoke: 0 };
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let ready: (() => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  const readyPromise = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });

  const send = (message: Message) => child.stdin?.write(`${JSON.stringify(message)}\n`);
  const answer = async (message: Message) => {
    try {
      let ok: unknown;
      if (message.op === "jsonata") {
        counts.jsonata += 1;
        ok = await evaluate(String(message.expression));
      } else if (message.op === "invoke") {
        counts.invoke += 1;
        ok = await invoke(functions, String(message.functionName), message.payload);
      } else throw new Error(`unknown call ${message.op}`);
      send({ reply: message.call, ok });
    } catch (error) {
      send({ reply: message.call, error: error instanceof Error ? error.message : String(error) });
    }
  };

  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      // Not the protocol (a library printing to stdout): keep it with stderr for the failure report.
      stderr = `${stderr}${line}\n`.slice(-8000);
      return;
    }
    if (message.ready) ready?.();
    else if (message.drift || message.absent) failed?.(new Error(String(message.drift ?? message.absent)));
    else if (message.call !== undefined) void answer(message);
    else if (typeof message.reply === "number") {
      const waiter = pending.get(message.reply);
      pending.delete(message.reply);
      if (message.error !== undefined) waiter?.reject(new Error(`moto: ${message.error}`));
      else waiter?.resolve(message.ok);
    }
  });
  child.once("exit", (code) => {
    const error = new Error(`moto_driver.py exited (${code})\n${stderr}`);
    failed?.(error);
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });

  const timer = setTimeout(
    () => failed?.(new Error(`moto_driver.py not ready in ${readyTimeoutMs} ms\n${stderr}`)),
    readyTimeoutMs,
  );
  try {
    await readyPromise;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const command = (op: string, fields: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send({ call: id, op, ...fields });
    });

  return {
    reset: async () => {
      await command("reset", {});
    },
    createStateMachine: async (name, definition) => String(await command("create", { name, definition })),
    startExecution: async (stateMachineArn, name, input) =>
      String(await command("start", { stateMachineArn, name, input })),
    describeExecution: async (executionArn) => (await command("describe", { executionArn })) as MotoDescription,
    getExecutionHistory: async (executionArn) => (await command("history", { executionArn })) as HistoryEvent[],
    callbacks: {
      async sendTaskSuccess(taskToken, output) {
        await command("success", { taskToken, output });
      },
      async sendTaskFailure(taskToken, error, cause) {
        await command("failure", { taskToken, error, cause });
      },
      async sendTaskHeartbeat(taskToken) {
        await command("heartbeat", { taskToken });
      },
    },
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        // Closing stdin ends the driver's read loop; the kill is for a driver stuck in a call.
        child.stdin?.end();
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
