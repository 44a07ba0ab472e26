import { createStore } from "solid-js/store";

/**
 * Connection settings and preferences, kept in localStorage. The token can also arrive in the
 * URL fragment (`/#token=…`, what `riposte serve` prints); it is stored and then removed from the
 * address bar so it does not linger in history or screenshots.
 */

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export interface Settings {
  /** API origin, "" for the page's own origin (what `riposte serve` uses). */
  apiUrl: string;
  /** WebSocket URL, "" to derive it from the API URL (`…/ws`). */
  wsUrl: string;
  token: string;
  theme: Theme;
}

export const STORAGE_KEY = "riposte.settings";

export interface SettingsStore {
  readonly value: Settings;
  update(patch: Partial<Settings>): void;
  /** The WebSocket URL to open, with the token as a query parameter; undefined without a token. */
  liveUrl(pageUrl: string): string | undefined;
}

function readStored(storage: Storage | undefined): Partial<Settings> {
  try {
    const parsed = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "{}") as Record<string, unknown>;
    const result: Partial<Settings> = {};
    for (const key of ["apiUrl", "wsUrl", "token"] as const) {
      if (typeof parsed[key] === "string") result[key] = parsed[key];
    }
    if ((THEMES as readonly unknown[]).includes(parsed.theme)) result.theme = parsed.theme as Theme;
    return result;
  } catch {
    // Unreadable settings fall back to the defaults; the user can save new ones.
    return {};
  }
}

/**
 * Take a token from a `#token=…` fragment and strip the fragment from the address bar.
 * Returns the token, or undefined when the fragment has none.
 */
export function takeTokenFromFragment(location: Location, history: History): string | undefined {
  const fragment = location.hash.replace(/^#/, "");
  if (!fragment) return undefined;
  const token = new URLSearchParams(fragment).get("token");
  if (token === null) return undefined;
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  return token.trim() || undefined;
}

/** The WebSocket URL for an API URL: same host, `ws:`/`wss:`, path `/ws`. */
export function deriveLiveUrl(apiUrl: string, pageUrl: string): string {
  const base = new URL(apiUrl || "/", pageUrl);
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  base.pathname = `${base.pathname.replace(/\/+$/, "")}/ws`;
  base.search = "";
  base.hash = "";
  return base.toString();
}

export function createSettings(options: {
  storage?: Storage;
  defaults?: Partial<Settings>;
  /** A token read from the URL fragment; it wins over the stored one and is saved. */
  fragmentToken?: string;
}): SettingsStore {
  const initial: Settings = {
    apiUrl: "",
    wsUrl: "",
    token: "",
    theme: "system",
    ...options.defaults,
    ...readStored(options.storage),
  };
  if (options.fragmentToken) initial.token = options.fragmentToken;
  const [value, setValue] = createStore<Settings>(initial);
  const persist = () => {
    try {
      options.storage?.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch {
      // Storage full or disabled (private mode): settings still apply for this session.
    }
  };
  if (options.fragmentToken) persist();
  return {
    value,
    update(patch) {
      setValue(patch);
      persist();
    },
    liveUrl(pageUrl) {
      if (!value.token) return undefined;
      const url = new URL(value.wsUrl || deriveLiveUrl(value.apiUrl, pageUrl), pageUrl);
      url.searchParams.set("token", value.token);
      return url.toString();
    },
  };
}
