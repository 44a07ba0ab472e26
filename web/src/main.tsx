import { render } from "solid-js/web";
import { App } from "./App.js";
import { takeTokenFromFragment } from "./stores/createSettings.js";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("missing #root element");

// Read (and strip) a `#token=…` before the router sees the URL.
const fragmentToken = takeTokenFromFragment(window.location, window.history);

render(
  () => (
    <App
      deps={{
        storage: window.localStorage,
        fragmentToken,
        eventTarget: window,
        // A StaticSite deployment points the dashboard at its API at build time.
        defaults: {
          apiUrl: import.meta.env.VITE_RIPOSTE_API_URL ?? "",
          wsUrl: import.meta.env.VITE_RIPOSTE_WS_URL ?? "",
        },
      }}
    />
  ),
  root,
);
