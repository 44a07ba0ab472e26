import { createResource, Match, Switch } from "solid-js";

interface Health {
  status: string;
  version: string;
  remediation: string;
}

async function fetchHealth(): Promise<Health> {
  const response = await fetch("/api/health");
  if (!response.ok) throw new Error(`health check answered ${response.status}`);
  return (await response.json()) as Health;
}

/** The dashboard shell; the incident console grows in `pages/` and `components/`. */
export function App(props: { loadHealth?: () => Promise<Health> }) {
  const [health] = createResource(props.loadHealth ?? fetchHealth);
  return (
    <main>
      <h1>Riposte</h1>
      <p role="status">
        <Switch fallback="Connecting…">
          <Match when={health.state === "errored"}>Server unreachable</Match>
          <Match when={health.state === "ready" && health()}>
            {(h) => (
              <>
                Riposte {h().version} · remediation <strong>{h().remediation}</strong>
              </>
            )}
          </Match>
        </Switch>
      </p>
    </main>
  );
}
