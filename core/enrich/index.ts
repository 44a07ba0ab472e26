/** Enrichment: context for an incident's source address, principal and resource. */
export type { PrincipalBaseline, PrincipalBaselines } from "../store/ports.js";
export { correlationBaselines } from "./baselines.js";
export { enrichIncident } from "./enrich.js";
export { type PrincipalHistory, principalHistory } from "./history.js";
export { describeLive, type LiveResult } from "./live.js";
export { describePrincipal, type PrincipalIdentity, parsePrincipalArn } from "./principal.js";
export { type ResourceContext, type ResourceRef, resourceContext, resourceFromFacts } from "./resource.js";
export { describeSource, type SourceContext } from "./source.js";
export { isProductionTagged, isProtectedTagged, normalizeTags, type Tags } from "./tags.js";
