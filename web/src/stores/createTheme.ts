import { createEffect, createSignal, onCleanup } from "solid-js";
import type { Theme } from "./createSettings.js";

/**
 * Apply the chosen theme to `<html data-theme>`; "system" follows the OS preference live.
 * Returns the theme in effect.
 */
export function createTheme(options: {
  theme: () => Theme;
  root: HTMLElement;
  matchMedia?: (query: string) => MediaQueryList;
}) {
  const query = options.matchMedia?.("(prefers-color-scheme: dark)");
  const [systemDark, setSystemDark] = createSignal(query?.matches ?? false);
  const listener = (event: MediaQueryListEvent) => setSystemDark(event.matches);
  query?.addEventListener?.("change", listener);
  onCleanup(() => query?.removeEventListener?.("change", listener));
  const effective = () => {
    const chosen = options.theme();
    return chosen === "system" ? (systemDark() ? "dark" : "light") : chosen;
  };
  createEffect(() => {
    options.root.dataset.theme = effective();
  });
  return effective;
}
