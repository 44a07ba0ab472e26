/** Correlation state for stateful detections, with expiry in event time. */
export { MemoryCorrelationStore } from "./memory.js";
export { SqliteCorrelationStore } from "./sqlite.js";
export {
  type CorrelationStore,
  type DatedMember,
  type PutOptions,
  type StoredItem,
  type Timer,
  updateItem,
} from "./store.js";
