import { createSignal, For, Show } from "solid-js";
import { ModeBadge } from "../components/ModeBadge.js";
import { useApp } from "../context.js";
import { formatTime } from "../lib/format.js";
import { THEMES, type Theme } from "../stores/createSettings.js";

/** Connection URL and token (stored in this browser only), theme, and what went wrong lately. */
export function SettingsPage() {
  const app = useApp();
  const [apiUrl, setApiUrl] = createSignal(app.settings.value.apiUrl);
  const [wsUrl, setWsUrl] = createSignal(app.settings.value.wsUrl);
  const [token, setToken] = createSignal(app.settings.value.token);
  const [showToken, setShowToken] = createSignal(false);
  const [saved, setSaved] = createSignal(false);
  const [problem, setProblem] = createSignal<string>();

  const validUrl = (value: string, protocols: string[]) => {
    if (!value) return true;
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  };

  const save = (event: SubmitEvent) => {
    event.preventDefault();
    setSaved(false);
    if (!validUrl(apiUrl().trim(), ["http:", "https:"])) return setProblem("API URL must be an http(s) URL, or empty.");
    if (!validUrl(wsUrl().trim(), ["ws:", "wss:"])) return setProblem("WebSocket URL must be a ws(s) URL, or empty.");
    setProblem(undefined);
    app.settings.update({ apiUrl: apiUrl().trim(), wsUrl: wsUrl().trim(), token: token().trim() });
    setSaved(true);
    void app.health.refresh();
  };

  return (
    <section class="page settings-page" aria-labelledby="settings-heading">
      <header class="page-header">
        <h1 id="settings-heading">Settings</h1>
      </header>
      <section class="card" aria-labelledby="mode-heading">
        <h2 id="mode-heading">Remediation mode</h2>
        <p>
          <ModeBadge health={app.health.health()} unreachable={Boolean(app.health.error())} />
        </p>
        <p class="muted">
          Set when the server starts (<code>riposte serve --remediate dry-run|live|off</code>); the dashboard cannot
          change it.
          <Show when={app.health.health()}>
            {(health) => (
              <>
                {" "}
                Server {health().version}, up since {formatTime(health().startedAt)}.
              </>
            )}
          </Show>
        </p>
        <Show when={app.health.health()?.sources?.length}>
          <h3>Event sources</h3>
          <ul>
            <For each={app.health.health()?.sources ?? []}>
              {(source) => (
                <li>
                  {source.name}
                  <Show when={source.lastEventAt}> · last event {formatTime(source.lastEventAt)}</Show>
                  <Show when={source.lagSeconds !== undefined}> · {source.lagSeconds} s behind</Show>
                  <Show when={source.error}>
                    <span class="error-text"> · {source.error}</span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>

      <Show when={app.health.health()?.deadLetters?.length}>
        <section class="card" aria-labelledby="dead-letters-heading">
          <h2 id="dead-letters-heading">Findings set aside</h2>
          <p class="muted">Their workflow can never start; the latest are listed with the reason.</p>
          <ul>
            <For each={app.health.health()?.deadLetters ?? []}>
              {(entry) => (
                <li>
                  <code>{entry.incidentId}</code> · {formatTime(entry.failedAt)} ·{" "}
                  <span class="error-text break">{entry.reason}</span>
                </li>
              )}
            </For>
          </ul>
        </section>
      </Show>

      <form class="card settings-form" onSubmit={save} aria-labelledby="connection-heading">
        <h2 id="connection-heading">Connection</h2>
        <label class="field">
          <span>API URL</span>
          <input
            type="url"
            placeholder="(this page's origin)"
            value={apiUrl()}
            onInput={(event) => setApiUrl(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>WebSocket URL</span>
          <input
            type="url"
            placeholder="(derived from the API URL: …/ws)"
            value={wsUrl()}
            onInput={(event) => setWsUrl(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Token</span>
          <span class="input-with-button">
            <input
              type={showToken() ? "text" : "password"}
              autocomplete="off"
              spellcheck={false}
              value={token()}
              onInput={(event) => setToken(event.currentTarget.value)}
            />
            <button
              type="button"
              class="button subtle"
              aria-pressed={showToken()}
              onClick={() => setShowToken(!showToken())}
            >
              {showToken() ? "Hide" : "Show"}
            </button>
          </span>
        </label>
        <p class="muted">
          Stored in this browser only. <code>riposte serve</code> prints a link with the token in its fragment (
          <code>/#token=…</code>), which fills this in.
        </p>
        <div class="button-row">
          <button type="submit" class="button primary">
            Save
          </button>
          <button
            type="button"
            class="button subtle"
            onClick={() => {
              setToken("");
              app.settings.update({ token: "" });
            }}
          >
            Forget token
          </button>
        </div>
        <Show when={problem()}>
          <p class="error-text" role="alert">
            {problem()}
          </p>
        </Show>
        <Show when={saved()}>
          <p role="status">Saved.</p>
        </Show>
      </form>

      <section class="card" aria-labelledby="theme-heading">
        <h2 id="theme-heading">Theme</h2>
        <div class="segmented" role="radiogroup" aria-labelledby="theme-heading">
          <For each={THEMES}>
            {(theme) => (
              <label>
                <input
                  type="radio"
                  name="theme"
                  value={theme}
                  checked={app.settings.value.theme === theme}
                  onChange={() => app.settings.update({ theme: theme as Theme })}
                />
                {theme}
              </label>
            )}
          </For>
        </div>
      </section>

      <section class="card" aria-labelledby="diagnostics-heading">
        <h2 id="diagnostics-heading">Diagnostics</h2>
        <Show when={app.diagnostics.entries.length} fallback={<p class="muted">Nothing to report.</p>}>
          <ul class="diagnostics">
            <For each={app.diagnostics.entries}>
              {(entry) => (
                <li>
                  <time datetime={entry.at}>{formatTime(entry.at)}</time> {entry.message}
                  <Show when={entry.detail}>
                    <span class="muted"> — {entry.detail}</span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
    </section>
  );
}
