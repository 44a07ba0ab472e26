import { Throttled, TransientError } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { AwsClientOptions } from "../../model/aws-client.js";
import type { AwsCall } from "../../model/incident.js";
import { hasLiveValues } from "./calls.js";
import { createClientFactory, type ExtraClientConfig, type SendingClient } from "./clients.js";
import { AwsCallError, errorCode, isThrottling, isTransient, messageOf } from "./errors.js";
import { type InputOf, type OperationName, type OutputOf, operationOf, type ServiceName } from "./operations.js";

/**
 * The one way remediation talks to AWS: calls are data (`AwsCall`), sent through SDK v3 clients,
 * retried with capped exponential backoff and full jitter when AWS throttles or faults, and kept
 * in `sent` for the audit trail. Errors that outlast the retries become `TransientError`, or
 * `Throttled` for throttling (the workflow retries the task); others become `AwsCallError`.
 */
export interface AwsGateway {
  /** Send one typed call; `region` defaults to the gateway's. */
  send<S extends ServiceName, O extends OperationName<S>>(
    service: S,
    operation: O,
    params: InputOf<S, O>,
    region?: string,
  ): Promise<OutputOf<S, O>>;
  /** Send a recorded call as is. */
  sendCall(call: AwsCall): Promise<unknown>;
  /** Every call sent, reads and writes, in order. */
  readonly sent: readonly AwsCall[];
}

export interface GatewayOptions {
  aws: AwsClientOptions;
  /** Region for calls that name none (the incident's region). */
  region: string;
  logger: Logger;
  /** Backoff pause; injectable so tests never wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Extra SDK client config (test credentials for an emulator). */
  clientConfig?: ExtraClientConfig;
  /** Replaces the SDK client factory (tests). */
  clients?: (service: ServiceName, region: string) => SendingClient;
}

const DEFAULT_ATTEMPTS = 4;
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter backoff: a random pause up to base·2^attempt, capped. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

export function createAwsGateway(options: GatewayOptions): AwsGateway {
  const clientFor = options.clients ?? createClientFactory(options.aws, options.clientConfig);
  const attempts = Math.max(1, options.aws.maxAttempts ?? DEFAULT_ATTEMPTS);
  const sleep = options.sleep ?? realSleep;
  const sent: AwsCall[] = [];

  const sendCall = async (call: AwsCall): Promise<unknown> => {
    const name = `${call.service}:${call.operation}`;
    if (hasLiveValues(call)) throw new Error(`${name} still holds a value only a live read supplies`);
    const operation = operationOf(call.service, call.operation);
    const region = call.region ?? options.region;
    const client = clientFor(call.service as ServiceName, region);
    sent.push(structuredClone(call));
    for (let attempt = 1; ; attempt++) {
      try {
        const Command = operation.command as new (input: unknown) => unknown;
        return await client.send(new Command(structuredClone(call.params)));
      } catch (error) {
        if (!isTransient(error)) throw new AwsCallError(name, errorCode(error), messageOf(error), { cause: error });
        if (attempt >= attempts) {
          // Throttling gets its own name: the workflows ride it out for minutes, not seconds.
          const Failure = isThrottling(error) ? Throttled : TransientError;
          throw new Failure(`${name} failed after ${attempts} attempts: ${errorCode(error) ?? messageOf(error)}`, {
            cause: error,
          });
        }
        const delay = backoffDelay(attempt);
        options.logger.warn("aws call retried", { call: name, attempt, delayMs: delay, code: errorCode(error) });
        await sleep(delay);
      }
    }
  };

  return {
    sent,
    sendCall,
    send: (service, operation, params, region) =>
      sendCall({
        service,
        operation,
        params: params as Record<string, unknown>,
        ...(region ? { region } : {}),
      }) as never,
  };
}
