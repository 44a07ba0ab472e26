import type { Logger } from "../log.js";
import type { ChangeListener, StoreChange } from "./ports.js";

/**
 * The in-process change stream. Listeners run synchronously in write order, after the write is
 * durable; a listener that throws is logged and never breaks the write or the other listeners.
 */
export class ChangeEmitter {
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly logger?: Logger) {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: StoreChange): void {
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(change));
      } catch (error) {
        this.logger?.error("change listener failed", { incidentId: change.incident.id, error });
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
