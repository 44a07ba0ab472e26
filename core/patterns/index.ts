/** Riposte's EventBridge event-pattern matcher: compile once, match many events, index many patterns. */
export { type CompiledPattern, compilePattern } from "./compile.js";
export { InvalidPattern } from "./errors.js";
export { matches } from "./match.js";
export { PatternIndex } from "./pattern-index.js";
