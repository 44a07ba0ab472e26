/**
 * Fixed facts of the export formats, apart from the exporters: the CLI's usage states them, and
 * stating them should not load the exporters (and the remediation catalog they describe).
 */

/** Security Hub accepts at most this many findings per `BatchImportFindings` call. */
export const ASFF_BATCH_LIMIT = 100;

/** The OCSF schema version the findings are written in. */
export const OCSF_VERSION = "1.3.0";
