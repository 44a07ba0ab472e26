import { A, type RouteSectionProps } from "@solidjs/router";
import { Show } from "solid-js";
import { useApp } from "../context.js";
import { createTheme } from "../stores/createTheme.js";
import { ConnectionIndicator } from "./ConnectionIndicator.js";
import { ModeBadge } from "./ModeBadge.js";
import { Toasts } from "./Toasts.js";

/** The frame around every page: navigation, mode, connection state, banners and toasts. */
export function Layout(props: RouteSectionProps) {
  const app = useApp();
  createTheme({
    theme: () => app.settings.value.theme,
    root: document.documentElement,
    matchMedia: typeof window.matchMedia === "function" ? window.matchMedia.bind(window) : undefined,
  });
  const nextTheme = () => {
    const order = ["system", "light", "dark"] as const;
    const index = order.indexOf(app.settings.value.theme);
    app.settings.update({ theme: order[(index + 1) % order.length] });
  };
  return (
    <>
      <a href="#main" class="skip-link">
        Skip to content
      </a>
      <Show when={app.health.health()?.remediation === "live"}>
        <div class="live-strip" role="note">
          LIVE remediation: approved and automatic actions change your AWS account.
        </div>
      </Show>
      <header class="topbar">
        <A href="/" class="brand" end>
          Riposte
        </A>
        <nav aria-label="Main">
          <A href="/" end activeClass="active">
            Incidents
          </A>
          <A href="/overview" activeClass="active">
            Overview
          </A>
          <A href="/audit" activeClass="active">
            Audit
          </A>
          <A href="/exceptions" activeClass="active">
            Exceptions
          </A>
          <A href="/settings" activeClass="active">
            Settings
          </A>
        </nav>
        <div class="topbar-status">
          <ModeBadge health={app.health.health()} unreachable={Boolean(app.health.error())} />
          <ConnectionIndicator live={app.live} />
          <button
            type="button"
            class="icon-button"
            onClick={nextTheme}
            aria-label={`Theme: ${app.settings.value.theme}. Change theme`}
            title={`Theme: ${app.settings.value.theme}`}
          >
            ◐
          </button>
        </div>
      </header>
      <Show when={!app.settings.value.token}>
        <div class="banner" role="alert">
          No access token yet. Open the link <code>riposte serve</code> printed, or enter the token in{" "}
          <A href="/settings">Settings</A>.
        </div>
      </Show>
      <Show when={app.settings.value.token && app.unauthorized()}>
        <div class="banner danger" role="alert">
          The server refused the access token. Check it in <A href="/settings">Settings</A>.
        </div>
      </Show>
      <Show when={app.live.state() === "reconnecting"}>
        <div class="banner warning" role="status">
          Live updates are interrupted; what you see may be out of date. Reconnecting…
        </div>
      </Show>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <Toasts toasts={app.toasts} />
    </>
  );
}
