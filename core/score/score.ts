import type { Score } from "../model/incident.js";
import { type ScoringInput, scoreFactors } from "./factors.js";
import { priorityFor } from "./priority.js";

/**
 * The incident's risk score: the sum of its factors' points, rounded and clamped to 0–100, with
 * the factor breakdown kept so Slack and the dashboard can show why, and the priority it maps to.
 */
export function scoreIncident(input: ScoringInput): Score {
  const factors = scoreFactors(input);
  const sum = factors.reduce((total, factor) => total + factor.points, 0);
  const value = Math.min(100, Math.max(0, Math.round(sum)));
  return { value, priority: priorityFor(value, input.config.scoring.priorities), factors };
}
