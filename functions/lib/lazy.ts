/**
 * A value built on first use and kept for the life of the Lambda container (clients, config,
 * the store), never at import time. A build that fails is not kept: the next invocation tries
 * again, so a secret or table that was briefly unreadable does not poison the container.
 */
export function lazily<T>(build: () => T | Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        value = undefined;
        throw error;
      });
    return value;
  };
}
