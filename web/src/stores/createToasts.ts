import { createStore, produce } from "solid-js/store";

/** Short-lived notices (new high and critical incidents, results of actions), newest first. */

export type ToastTone = "info" | "success" | "warning" | "danger";

export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body?: string;
  /** An in-app path to open (an incident page). */
  href?: string;
}

export interface ToastsStore {
  items: readonly Toast[];
  push(toast: Omit<Toast, "id">): number;
  dismiss(id: number): void;
}

export function createToasts(options: { durationMs?: number; max?: number } = {}): ToastsStore {
  const durationMs = options.durationMs ?? 8000;
  const max = options.max ?? 5;
  const [items, setItems] = createStore<Toast[]>([]);
  let nextId = 1;
  const dismiss = (id: number) => setItems((list) => list.filter((toast) => toast.id !== id));
  return {
    items,
    push(toast) {
      const id = nextId++;
      setItems(
        produce((list) => {
          list.unshift({ ...toast, id });
          // A burst of incidents must not bury the screen: keep the newest few.
          list.splice(max);
        }),
      );
      if (durationMs > 0) setTimeout(() => dismiss(id), durationMs);
      return id;
    },
    dismiss,
  };
}
