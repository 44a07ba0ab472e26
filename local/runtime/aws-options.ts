import type { AwsClientOptions } from "../../core/model/aws-client.js";

/**
 * The AWS SDK options of the one-machine runtime, read once from the environment: the region
 * (`AWS_REGION`, else `AWS_DEFAULT_REGION`) and a custom endpoint (`AWS_ENDPOINT_URL`, for an
 * emulator such as moto or LocalStack, which also means S3 path-style addressing). Credentials
 * come from the SDK's standard chain.
 */
export function localAwsOptions(env: Record<string, string | undefined>): AwsClientOptions {
  const value = (name: string) => env[name]?.trim() || undefined;
  const region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION");
  const endpoint = value("AWS_ENDPOINT_URL");
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new Error(`AWS_ENDPOINT_URL must be an http(s) URL (got "${endpoint}")`);
  }
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}
