import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { EventsAcceptedResponse } from "../../core/model/api.js";
import { makeIncident } from "../../core/store/contract/fixtures.js";
import type { IncidentStore } from "../../core/store/ports.js";

/**
 * A burst of event posts against a running server, for the burst suite and `npm run bench api`.
 * The intake is a stand-in for detection + workflows: one incident per event, keyed on the
 * event id (as the real incident id is), so a repeated event must not create a second one.
 */

/** An intake that opens one incident per `{ id }` event. */
export function incidentPerEventIntake(store: IncidentStore) {
  return async (body: unknown): Promise<EventsAcceptedResponse> => {
    const events = Array.isArray(body) ? body : [body];
    const errors: EventsAcceptedResponse["errors"] = [];
    let accepted = 0;
    for (const [index, event] of events.entries()) {
      const id = (event as { id?: unknown } | null)?.id;
      if (typeof id !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
        errors.push({ index, error: "id: expected 1-64 letters, digits or dashes" });
        continue;
      }
      await store.createIncident(makeIncident({ id: `burst-${id}`, eventIds: [id] }));
      accepted += 1;
    }
    return { accepted, rejected: errors.length, errors };
  };
}

export interface BurstResult {
  statuses: Map<number, number>;
  failures: number;
  elapsedMs: number;
  latenciesMs: number[];
}

/** POST every body at once (all in flight together, over a pool of `sockets` connections). */
export async function postBurst(
  url: string,
  path: string,
  token: string,
  bodies: string[],
  sockets = 256,
): Promise<BurstResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(url);
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    bodies.map(
      (body) =>
        new Promise<void>((resolve) => {
          const sent = performance.now();
          const req = request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              method: body ? "POST" : "GET",
              path,
              headers: {
                authorization: `Bearer ${token}`,
                "content-type": "application/json",
                "content-length": Buffer.byteLength(body),
              },
            },
            (res) => {
              res.resume();
              res.on("end", () => {
                statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
                latenciesMs.push(performance.now() - sent);
                resolve();
              });
            },
          );
          req.on("error", () => {
            failures += 1;
            resolve();
          });
          req.end(body);
        }),
    ),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { statuses, failures, elapsedMs, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

/** Event bodies: `count` distinct events, then `repeats` of the first ones again. */
export function burstBodies(count: number, repeats: number): string[] {
  const ids = Array.from({ length: count }, (_, index) => `event-${index}`);
  return [...ids, ...ids.slice(0, repeats)].map((id) => JSON.stringify({ id }));
}
