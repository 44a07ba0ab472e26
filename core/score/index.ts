/** Scoring: an explainable 0–100 risk score, its priority, and triage (score + route + TRIAGED). */
export { FACTOR_IDS, type FactorId, type ScoringInput, scoreFactors } from "./factors.js";
export { describeLocalTime, isOffHours, localTime, type WorkingHours } from "./off-hours.js";
export { priorityFor } from "./priority.js";
export { scoreIncident } from "./score.js";
export { triageIncident } from "./triage.js";
