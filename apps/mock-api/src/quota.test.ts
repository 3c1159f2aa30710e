import { QuotaGate, quotaProblems } from './quota';

describe('QuotaGate', () => {
  it('serves limit calls per sliding window and refuses the next until the oldest leaves', () => {
    const gate = new QuotaGate([{ limit: 3, windowMs: 1000, mode: '429' }]);
    expect([0, 400, 500].map((t) => gate.admit(t))).toEqual([undefined, undefined, undefined]);
    expect(gate.admit(999)?.waitMs).toBe(1);
    // A fixed window would reset at 1000 and serve three more; the sliding one frees one slot.
    expect(gate.admit(1000)).toBeUndefined();
    expect(gate.admit(1001)?.waitMs).toBe(399);
    expect(gate.admit(1400)).toBeUndefined();
  });

  it('does not count refused calls', () => {
    const gate = new QuotaGate([{ limit: 1, windowMs: 100, mode: 'body' }]);
    expect(gate.admit(0)).toBeUndefined();
    for (let t = 1; t < 100; t++) expect(gate.admit(t)).toBeDefined();
    expect(gate.admit(100)).toBeUndefined();
  });

  it('needs a free slot in every quota, and blames the one that frees last', () => {
    const minute = { limit: 2, windowMs: 60_000, mode: '429' } as const;
    const day = { limit: 3, windowMs: 86_400_000, mode: '503' } as const;
    const gate = new QuotaGate([minute, day]);
    expect([0, 1].map((t) => gate.admit(t))).toEqual([undefined, undefined]);
    expect(gate.admit(2)).toEqual({ quota: minute, waitMs: 59_998 });
    expect(gate.admit(60_000)).toBeUndefined();
    expect(gate.admit(60_001)).toEqual({ quota: day, waitMs: 86_339_999 });
  });

  it('stays small over many windows', () => {
    const gate = new QuotaGate([{ limit: 5, windowMs: 10, mode: '429' }]);
    let served = 0;
    for (let t = 0; t < 100_000; t++) if (gate.admit(t) === undefined) served++;
    expect(served).toBe(50_000);
  });
});

describe('quotaProblems', () => {
  it('reports every bad field with its path', () => {
    expect(quotaProblems({ limit: 0, windowMs: -1, mode: '418', retryAfter: 'later', extra: 1 }, 'quota')).toEqual([
      'quota.limit: expected an integer ≥ 1',
      'quota.windowMs: expected a number > 0',
      'quota.mode: expected one of body, 429, 503',
      'quota.retryAfter: expected one of seconds, http-date, none, garbage',
      'quota.extra: unknown field',
    ]);
    expect(quotaProblems({ limit: 5, windowMs: 60_000, mode: 'body' }, 'quota')).toEqual([]);
  });
});
