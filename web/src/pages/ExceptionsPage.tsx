import { createSignal, For, Show } from "solid-js";
import type { ExceptionRecord, ExceptionScope } from "../../../core/model/exception.js";
import { describeScope } from "../../../core/model/exception.js";
import { useApp } from "../context.js";
import { ApiError } from "../lib/api.js";
import { formatTime } from "../lib/format.js";

type ScopeKind = ExceptionScope["kind"];
const SCOPE_KINDS: ScopeKind[] = ["principal", "resource", "cidr", "tag"];

/**
 * Time-boxed exceptions: every one (Slack, dashboard, configuration) with its state, and a form to
 * create one. Only approvers may: the server refuses others (403) and says so here. Every field
 * is shown as text: scopes and reasons may carry attacker-controlled names.
 */
export function ExceptionsPage() {
  const app = useApp();
  const [items, setItems] = createSignal<ExceptionRecord[]>([]);
  const [error, setError] = createSignal<string>();
  const [problem, setProblem] = createSignal<string>();
  const [created, setCreated] = createSignal<string>();
  const [detection, setDetection] = createSignal("");
  const [kind, setKind] = createSignal<ScopeKind>("principal");
  const [value, setValue] = createSignal("");
  const [tagKey, setTagKey] = createSignal("");
  const [reason, setReason] = createSignal("");
  const [days, setDays] = createSignal("1");

  const load = async () => {
    try {
      setItems((await app.api.listExceptions()).items);
      setError(undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  void load();

  const scope = (): ExceptionScope =>
    kind() === "tag" ? { kind: "tag", key: tagKey(), value: value() } : { kind: kind() as "principal", value: value() };

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    setProblem(undefined);
    setCreated(undefined);
    const count = Number(days());
    if (!Number.isFinite(count) || count <= 0) {
      setProblem("Days: expected a positive number.");
      return;
    }
    try {
      const exception = await app.api.createException({
        detection: detection().trim(),
        scope: scope(),
        reason: reason(),
        expiresAt: new Date(Date.now() + count * 24 * 3600 * 1000).toISOString(),
      });
      setCreated(exception.id);
      await load();
    } catch (failure) {
      const issues = failure instanceof ApiError && failure.issues.length ? ` (${failure.issues.join("; ")})` : "";
      setProblem(`${failure instanceof Error ? failure.message : String(failure)}${issues}`);
    }
  };

  return (
    <section class="page exceptions-page" aria-labelledby="exceptions-heading">
      <header class="page-header">
        <h1 id="exceptions-heading">Exceptions</h1>
        <p class="muted">
          While an exception holds, matching findings are recorded as suppressed: no notice, no remediation.
        </p>
      </header>
      <Show when={error()}>
        <p class="error-text" role="alert">
          Could not load exceptions: {error()}
        </p>
      </Show>
      <div class="table-scroll">
        <table class="table" aria-label="Exceptions">
          <thead>
            <tr>
              <th>Id</th>
              <th>State</th>
              <th>Expires</th>
              <th>Detection</th>
              <th>Scope</th>
              <th>Owner</th>
              <th>Source</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            <For
              each={items()}
              fallback={
                <tr>
                  <td colSpan={8} class="muted">
                    No exceptions.
                  </td>
                </tr>
              }
            >
              {(item) => (
                <tr>
                  <td class="mono">{item.id}</td>
                  <td>{Date.parse(item.expiresAt) > app.now() ? "holds" : "expired"}</td>
                  <td>
                    <time datetime={item.expiresAt}>{formatTime(item.expiresAt)}</time>
                  </td>
                  <td class="mono">{item.detection}</td>
                  <td class="break">{describeScope(item.scope)}</td>
                  <td>{item.owner}</td>
                  <td>{item.source}</td>
                  <td>{item.reason}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>

      <form class="card settings-form" onSubmit={create} aria-labelledby="create-exception-heading">
        <h2 id="create-exception-heading">New exception</h2>
        <label class="field">
          <span>Detection</span>
          <input required value={detection()} onInput={(event) => setDetection(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Scope</span>
          <select value={kind()} onChange={(event) => setKind(event.currentTarget.value as ScopeKind)}>
            <For each={SCOPE_KINDS}>{(option) => <option value={option}>{option}</option>}</For>
          </select>
        </label>
        <Show when={kind() === "tag"}>
          <label class="field">
            <span>Tag key</span>
            <input required value={tagKey()} onInput={(event) => setTagKey(event.currentTarget.value)} />
          </label>
        </Show>
        <label class="field">
          <span>{kind() === "tag" ? "Tag value" : "Value"}</span>
          <input value={value()} onInput={(event) => setValue(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Reason</span>
          <textarea
            required
            maxLength={1000}
            value={reason()}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Days</span>
          <input
            type="number"
            min="1"
            step="1"
            value={days()}
            onInput={(event) => setDays(event.currentTarget.value)}
          />
        </label>
        <div class="button-row">
          <button type="submit" class="button primary">
            Create exception
          </button>
        </div>
        <Show when={problem()}>
          <p class="error-text" role="alert">
            {problem()}
          </p>
        </Show>
        <Show when={created()}>
          <p role="status">Created {created()}.</p>
        </Show>
      </form>
    </section>
  );
}
