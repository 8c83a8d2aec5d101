// Read your own writes from the read model (no server): the wait, its bound and what "not started" counts as.
import { readAtLeast, RetryLater } from '../../apps/api/src/common/read-your-writes';

const versions = (...vs: Array<number | undefined>) => {
  let i = 0;
  return () => {
    const v = vs[Math.min(i++, vs.length - 1)];
    return Promise.resolve(v === undefined ? undefined : { version: v });
  };
};

describe('readAtLeast', () => {
  it('answers at once without a minVersion, whatever is projected', async () => {
    expect(await readAtLeast(versions(3), undefined, 'unit U-1')).toEqual({ version: 3 });
    expect(await readAtLeast(versions(undefined), undefined, 'unit U-1')).toBeUndefined();
  });

  it('counts nothing projected as version 0', async () => {
    expect(await readAtLeast(versions(undefined), 0, 'item x')).toBeUndefined();
  });

  it('reads again until the read model reaches the version', async () => {
    const read = jest.fn(versions(undefined, 4, 5, 7));
    expect(await readAtLeast(read, 6, 'unit U-1', 60_000)).toEqual({ version: 7 });
    expect(read).toHaveBeenCalledTimes(4);
  });

  it('past its bound says to retry later, naming the object and both versions', async () => {
    const err = await readAtLeast(versions(2), 9, 'unit U-1', 30).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLater);
    expect((err as RetryLater).retryAfterSeconds).toBe(1);
    expect((err as Error).message).toBe(
      'unit U-1 is at version 2 in the read model, not yet 9: the decision stands and its view follows; retry',
    );
  });
});
