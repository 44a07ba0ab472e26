/**
 * Several sorted streams read as one (a k-way merge), pulling from each only as far as the
 * consumer reads: how sharded partitions (`keys.ts`) list as if they were one. The first item of
 * every source is read in parallel; later reads go to whichever source the next item comes from.
 */
export async function* mergeSorted<T>(
  sources: readonly AsyncIterable<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  try {
    const heads = await Promise.all(iterators.map((iterator) => iterator.next()));
    for (;;) {
      let next = -1;
      for (let index = 0; index < heads.length; index++) {
        const head = heads[index]!;
        if (head.done) continue;
        if (next < 0 || compare(head.value, (heads[next] as IteratorYieldResult<T>).value) < 0) next = index;
      }
      if (next < 0) return;
      yield (heads[next] as IteratorYieldResult<T>).value;
      heads[next] = await iterators[next]!.next();
    }
  } finally {
    // The consumer stopped early (a full page): let every source end its reads.
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}
