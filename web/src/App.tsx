import { createMemoryHistory, MemoryRouter, Route, Router } from "@solidjs/router";
import type { JSX } from "solid-js";
import { Layout } from "./components/Layout.js";
import { type AppContextValue, type AppDeps, AppProvider } from "./context.js";
import { AuditPage } from "./pages/AuditPage.js";
import { ExceptionsPage } from "./pages/ExceptionsPage.js";
import { IncidentPage } from "./pages/IncidentPage.js";
import { IncidentsPage } from "./pages/IncidentsPage.js";
import { NotFoundPage } from "./pages/NotFoundPage.js";
import { OverviewPage } from "./pages/OverviewPage.js";
import { SettingsPage } from "./pages/SettingsPage.js";

function routes(): JSX.Element {
  return (
    <>
      <Route path="/" component={IncidentsPage} />
      <Route path="/incidents/:id" component={IncidentPage} />
      <Route path="/overview" component={OverviewPage} />
      <Route path="/audit" component={AuditPage} />
      <Route path="/exceptions" component={ExceptionsPage} />
      <Route path="/settings" component={SettingsPage} />
      <Route path="*" component={NotFoundPage} />
    </>
  );
}

/**
 * The dashboard. In the browser it routes on the real URL; tests pass `initialPath` to route in
 * memory, and fakes through `deps` (fetch, WebSocket, storage).
 */
export function App(props: { deps?: AppDeps; value?: AppContextValue; initialPath?: string }) {
  if (props.initialPath !== undefined) {
    const history = createMemoryHistory();
    history.set({ value: props.initialPath });
    return (
      <AppProvider deps={props.deps} value={props.value}>
        <MemoryRouter history={history} root={Layout}>
          {routes()}
        </MemoryRouter>
      </AppProvider>
    );
  }
  return (
    <AppProvider deps={props.deps} value={props.value}>
      <Router root={Layout}>{routes()}</Router>
    </AppProvider>
  );
}
