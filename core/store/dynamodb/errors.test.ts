import { describe, expect, it } from "vitest";
import { Throttled, TransientError } from "../../errors.js";
import { asStoreError } from "./errors.js";

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} from DynamoDB`), { name, $metadata: { httpStatusCode: status } });

describe("asStoreError", () => {
  it("names throttling Throttled (retried for minutes) and other 5xx TransientError", () => {
    const throttled = asStoreError(sdkError("ProvisionedThroughputExceededException", 400));
    const fault = asStoreError(sdkError("InternalServerError", 500));

    expect(throttled).toBeInstanceOf(Throttled);
    expect((throttled as Error).name).toBe("Throttled");
    expect(fault).toBeInstanceOf(TransientError);
    expect((fault as Error).name).toBe("TransientError");
  });

  it("passes other errors through unchanged", () => {
    const refused = sdkError("ValidationException", 400);

    expect(asStoreError(refused)).toBe(refused);
  });
});
