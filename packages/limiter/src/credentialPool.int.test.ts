import { CredentialsExhaustedError } from '@sluice/core';
import { createCredentialPool, type PoolAdmission } from './credentialPool';
import { readCredentialUsage } from './credentialUsage';
import { credentialsRetiredKey } from './limiterKeys';
import { redisNowMs, withLimiterClients } from './testSupport';
import type { LimiterLimits } from './windows';

const NONE: LimiterLimits = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };
const HOUR_MS = 3_600_000;

async function takeMany(pool: ReturnType<typeof createCredentialPool>, n: number): Promise<PoolAdmission[]> {
  const out: PoolAdmission[] = [];
  for (let i = 0; i < n; i++) {
    const admitted = await pool.acquire();
    if (!admitted) throw new Error('unexpected abort');
    out.push(admitted);
    admitted.release();
  }
  return out;
}

const count = (admissions: PoolAdmission[], name: string) => admissions.filter((a) => a.credential === name).length;

describe('credential pool (real Redis, several clients)', () => {
  test('each credential keeps its own windows, shared by every process, and use spreads over the pool', async () => {
    await withLimiterClients('pool-windows', 2, async ({ scope, clients }) => {
      const credentials = [
        { name: 'KEY_A', limits: { ...NONE, perHour: 2 } },
        { name: 'KEY_B', limits: { ...NONE, perHour: 3 } },
        { name: 'KEY_C', limits: { ...NONE, perHour: 4 } },
      ];
      const pools = clients.map((redis) => createCredentialPool({ redis, scope, credentials }));
      try {
        // Round-robin while all have room: the first three go to three different keys.
        const first = await takeMany(pools[0]!, 3);
        expect(new Set(first.map((a) => a.credential)).size).toBe(3);
        // The other process sees the same windows: together the two take exactly the pool's 9.
        const rest = [...(await takeMany(pools[1]!, 4)), ...(await takeMany(pools[0]!, 2))];
        const all = [...first, ...rest];
        expect([count(all, 'KEY_A'), count(all, 'KEY_B'), count(all, 'KEY_C')]).toEqual([2, 3, 4]);
        const usage = await readCredentialUsage(clients[0]!, scope, credentials);
        expect(usage.map((u) => [u.name, u.used.perHour, u.remaining.perHour])).toEqual([
          ['KEY_A', 2, 0],
          ['KEY_B', 3, 0],
          ['KEY_C', 4, 0],
        ]);
        // The pool is spent for the hour: a further acquire waits, and an abort ends it without a start.
        const ctrl = new AbortController();
        const waiting = pools[1]!.acquire(ctrl.signal);
        ctrl.abort();
        expect(await waiting).toBeNull();
        const after = await readCredentialUsage(clients[1]!, scope, credentials);
        expect(after.map((u) => u.used.perHour)).toEqual([2, 3, 4]);
      } finally {
        for (const pool of pools) pool.close();
      }
    });
  });

  test('a paused credential is skipped by every process while the others go on', async () => {
    await withLimiterClients('pool-pause', 2, async ({ scope, clients }) => {
      const credentials = ['KEY_A', 'KEY_B'].map((name) => ({ name, limits: { ...NONE, perHour: 100 } }));
      const pools = clients.map((redis) => createCredentialPool({ redis, scope, credentials }));
      try {
        const untilMs = (await redisNowMs(clients[0]!)) + HOUR_MS;
        await pools[0]!.pause('KEY_A', untilMs);
        const taken = await takeMany(pools[1]!, 6);
        expect(count(taken, 'KEY_B')).toBe(6);
        const usage = await readCredentialUsage(clients[1]!, scope, credentials);
        expect(usage[0]).toMatchObject({ name: 'KEY_A', pausedUntilMs: Math.ceil(untilMs), retired: null });
        expect(usage[1]).toMatchObject({ name: 'KEY_B', pausedUntilMs: null, used: { perHour: 6 } });
      } finally {
        for (const pool of pools) pool.close();
      }
    });
  });

  test('a retired credential is dropped by every process; with none left, acquire rejects', async () => {
    await withLimiterClients('pool-retire', 2, async ({ scope, clients }) => {
      const credentials = ['KEY_A', 'KEY_B'].map((name) => ({ name, limits: { ...NONE } }));
      const pools = clients.map((redis) => createCredentialPool({ redis, scope, credentials }));
      try {
        expect(await pools[0]!.retire('KEY_A', 'invalid')).toBe(true);
        // The second report of the same credential does not count as retiring it again.
        expect(await pools[1]!.retire('KEY_A', 'invalid')).toBe(false);
        expect(await clients[0]!.hgetall(credentialsRetiredKey(scope))).toEqual({ KEY_A: 'invalid' });
        expect(count(await takeMany(pools[1]!, 4), 'KEY_B')).toBe(4);
        expect(count(await takeMany(pools[0]!, 4), 'KEY_B')).toBe(4);

        const pending = pools[0]!.acquire();
        const pendingElsewhere = pools[1]!.acquire();
        await pools[1]!.retire('KEY_B', 'invalid');
        // Whichever process asks next learns it from Redis (within a second) and gives up.
        await expect(pools[1]!.acquire()).rejects.toBeInstanceOf(CredentialsExhaustedError);
        for (const p of [pending, pendingElsewhere]) {
          const settled = await p.then(
            (a) => a?.credential,
            (err: unknown) => err,
          );
          // Either admitted on KEY_B before it was retired, or told the pool is exhausted.
          if (typeof settled === 'string') expect(settled).toBe('KEY_B');
          else expect(settled).toBeInstanceOf(CredentialsExhaustedError);
        }
        await expect(pools[0]!.acquire()).rejects.toBeInstanceOf(CredentialsExhaustedError);
        const usage = await readCredentialUsage(clients[0]!, scope, credentials);
        expect(usage.map((u) => [u.name, u.retired, u.pausedUntilMs])).toEqual([
          ['KEY_A', 'invalid', null],
          ['KEY_B', 'invalid', null],
        ]);
      } finally {
        for (const pool of pools) pool.close();
      }
    });
  });
});
