import { withClosing } from './withClosing';

describe('withClosing', () => {
  const resource = () => {
    const closed: string[] = [];
    return { closed, close: async () => void closed.push('closed') };
  };

  it('returns what fn returns and closes the resource', async () => {
    const r = resource();
    await expect(withClosing(Promise.resolve(r), async () => 42)).resolves.toBe(42);
    expect(r.closed).toEqual(['closed']);
  });

  it('closes the resource when fn throws, and rethrows', async () => {
    const r = resource();
    await expect(
      withClosing(Promise.resolve(r), async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(r.closed).toEqual(['closed']);
  });
});
