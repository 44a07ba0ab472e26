/** Shared types and schemas: the one place they live (used by core, functions, workflows, web). */

export * from "./actions.js";
export * from "./api.js";
export * from "./catalog.js";
export * from "./event.js";
export * from "./exception.js";
export * from "./facts.js";
export * from "./history.js";
export * from "./incident.js";
export * from "./messages.js";
export * from "./status.js";
export * from "./tasks.js";
