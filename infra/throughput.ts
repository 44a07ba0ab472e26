/**
 * How many correlate functions a busy account needs, from a measured rate. The correlate
 * function handles a batch's events one after another (event-time order matters to the stateful
 * detections), so one invocation's rate is one over the time per event: CPU plus its DynamoDB
 * round trips, which dominate.
 *
 * Measured with `npx tsx scripts/bench/run.ts correlate` (scripts/bench/correlate.bench.ts): the
 * deployed handler in-process over SQS batches of 100 read-only calls, every stateful detection
 * running. With the correlation state in memory (CPU only): 2,659 events/s, 0.38 ms an event.
 * Through `DynamoCorrelationStore` on dynalite: 4.97 DynamoDB requests an event. Dynalite's own
 * speed says nothing about DynamoDB's, so the latency is an assumption: 5 ms a request from
 * Lambda in the table's region (DynamoDB's single-digit milliseconds, rounded up).
 */

/** Measured: CPU time per event with the state in memory (the upper bound: 2,659 events/s). */
export const CORRELATE_CPU_MS_PER_EVENT = 0.38;
/** Measured: DynamoDB requests per event through the DynamoDB correlation store. */
export const CORRELATE_DYNAMO_REQUESTS_PER_EVENT = 4.97;
/** Assumed: one DynamoDB request's round trip from Lambda, in milliseconds. */
export const DYNAMO_REQUEST_MS = 5;
/** The rate of candidate events the default deployment keeps up with: a busy account's API calls. */
export const TARGET_EVENTS_PER_SECOND = 1000;

/** SQS batching window of the correlate event source: at most this long before a batch is handed over. */
export const CORRELATE_BATCHING_WINDOW_SECONDS = 5;

/** Events a second one correlate invocation sustains (about 40). */
export function correlateEventsPerSecond(dynamoRequestMs: number = DYNAMO_REQUEST_MS): number {
  return 1000 / (CORRELATE_CPU_MS_PER_EVENT + CORRELATE_DYNAMO_REQUESTS_PER_EVENT * dynamoRequestMs);
}

/** Correlate functions needed for `eventsPerSecond` (the event source's maximum concurrency, 2 to 1,000). */
export function correlateConcurrencyFor(eventsPerSecond: number, dynamoRequestMs: number = DYNAMO_REQUEST_MS): number {
  if (!(eventsPerSecond > 0)) throw new Error(`events per second must be positive, got ${eventsPerSecond}`);
  return Math.min(1000, Math.max(2, Math.ceil(eventsPerSecond / correlateEventsPerSecond(dynamoRequestMs))));
}
