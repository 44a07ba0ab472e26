import type { Logger } from "../log.js";
import type { ChangeListener, StoreChange } from "./ports.js";

/**
 * The in-process change stream. Listeners run synchronously in write order, after the write is
 * durable; a listener that throws is logged and never breaks the write or the other listeners.
 * Each listener gets a copy of its own, so none sees another's changes to it, nor the writer's.
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

  /**
   * `copy` makes each listener's copy; by default a structured clone. A store holding the
   * incident's JSON text (the SQLite store has just written it) passes a parse of that text:
   * the same plain data, at a fraction of the cost of cloning the object graph.
   */
  emit(change: StoreChange, copy: () => StoreChange = () => structuredClone(change)): void {
    for (const listener of this.listeners) {
      try {
        listener(copy());
      } catch (error) {
        this.logger?.error("change listener failed", { incidentId: change.incident.id, error });
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
