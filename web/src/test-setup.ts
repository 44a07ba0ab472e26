import "@testing-library/jest-dom/vitest";

// jsdom has no layout: every element measures 0×0, so a virtualised list would render no rows.
// Give the incident list's scroll viewport a desktop-sized box; everything else keeps jsdom's zeros.
for (const [property, size] of [
  ["clientHeight", 640],
  ["clientWidth", 1000],
] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, property);
  Object.defineProperty(HTMLElement.prototype, property, {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("viewport") ? size : (original?.get?.call(this) ?? 0);
    },
  });
}

// Unmount what each test rendered (auto-cleanup needs Vitest globals, which this project leaves off).
import { cleanup } from "@solidjs/testing-library";
import { afterEach } from "vitest";

afterEach(() => cleanup());
