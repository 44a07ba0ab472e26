import { createRequire } from "node:module";

/**
 * `asl-validator` (CommonJS, untyped) for the test suites: validates a definition against the
 * Amazon States Language schemas, JSONata fields included. It annotates the object it is given,
 * so it gets a copy.
 */

interface ValidationResult {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}

type Validator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => ValidationResult;

const validator = createRequire(import.meta.url)("asl-validator") as Validator;

/** The validator's verdict on `definition`, with its errors as one text. */
export function validateAsl(definition: unknown): { valid: boolean; errors: string } {
  const result = validator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return { valid: result.isValid, errors: result.isValid ? "" : result.errorsText("\n") };
}
