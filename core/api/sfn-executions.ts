import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineForExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
} from "@aws-sdk/client-sfn";
import type { HistoryEvent } from "../model/history.js";
import type { ExecutionDetail, ExecutionReader } from "./types.js";

/** Enough history for any incident workflow; a runaway execution is cut here rather than paged forever. */
const MAX_HISTORY_EVENTS = 10_000;

/** SDK history events carry `Date`s; the shared shape is ISO 8601 strings. */
function toHistoryEvent(event: SfnHistoryEvent): HistoryEvent {
  const { timestamp, id, previousEventId, type, ...details } = event;
  return {
    ...(details as Record<`${string}EventDetails`, Record<string, unknown> | undefined>),
    id: id ?? 0,
    previousEventId: previousEventId ?? 0,
    timestamp: (timestamp ?? new Date(0)).toISOString(),
    type: type ?? "Unknown",
  };
}

function parseDefinition(definition: string | undefined): unknown {
  if (!definition) return undefined;
  try {
    return JSON.parse(definition);
  } catch {
    return undefined;
  }
}

/** The AWS execution reader: DescribeExecution, GetExecutionHistory (all pages) and the definition. */
export function sfnExecutionReader(client: SFNClient): ExecutionReader {
  return {
    async describe(executionArn) {
      let described: DescribeExecutionCommandOutput;
      try {
        described = await client.send(new DescribeExecutionCommand({ executionArn }));
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist || (error as Error).name === "ExecutionDoesNotExist")
          return undefined;
        throw error;
      }
      const history: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
        history.push(...(page.events ?? []).map(toHistoryEvent));
        nextToken = page.nextToken;
      } while (nextToken && history.length < MAX_HISTORY_EVENTS);
      const machine = await client.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
      const detail: ExecutionDetail = {
        executionArn,
        name: described.name ?? "",
        stateMachineArn: described.stateMachineArn ?? "",
        // PENDING_REDRIVE (not in the shared statuses) is about to run again.
        status: described.status === "PENDING_REDRIVE" || !described.status ? "RUNNING" : described.status,
        startDate: (described.startDate ?? new Date(0)).toISOString(),
        ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
        history,
      };
      const definition = parseDefinition(machine.definition);
      if (definition !== undefined) detail.definition = definition;
      return detail;
    },
  };
}
