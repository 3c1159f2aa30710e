import { keepMsFor, loggedWindow, RequestBudgetLog, type RequestLogSink } from './requestBudgetLog';

/** A request log in memory that can be told to refuse writes, as a full disk would. */
function memoryLog(): RequestLogSink & { rows: Array<[string, number]>; refuse: boolean } {
  const log = {
    rows: [] as Array<[string, number]>,
    refuse: false,
    async append(timesMs: readonly number[], _keepMs: number, credential?: string) {
      if (log.refuse) throw new Error('disk full');
      for (const t of timesMs) log.rows.push([credential ?? '', t]);
    },
    async requestTimesSince(sinceMs: number, credential?: string) {
      return log.rows.filter(([name, t]) => name === (credential ?? '') && t >= sinceMs).map(([, t]) => t);
    },
  };
  return log;
}

describe('request budget log', () => {
  test('only hourly and daily budgets are logged, kept as long as their longest window', () => {
    expect(loggedWindow({ perHour: 0, perDay: 0 })).toBeNull();
    expect(loggedWindow({ perHour: 5, perDay: 0 })).toBe('perHour');
    expect(loggedWindow({ perHour: 5, perDay: 50 })).toBe('perDay');
    expect(keepMsFor(null)).toBe(0);
    expect(keepMsFor('perHour')).toBe(3_600_000);
    expect(new RequestBudgetLog(memoryLog(), 0).enabled).toBe(false);
  });

  test('a refused write keeps the starts, oldest first, for the next flush', async () => {
    const sink = memoryLog();
    const log = new RequestBudgetLog(sink, 3_600_000);
    log.add(1, undefined);
    log.add(2, 'KEY_A');
    sink.refuse = true;
    await expect(log.flush()).rejects.toThrow('disk full');
    log.add(3, undefined);
    sink.refuse = false;
    await log.flush();
    expect(sink.rows).toEqual([
      ['', 1],
      ['', 3],
      ['KEY_A', 2],
    ]);
    await log.flush();
    expect(sink.rows).toHaveLength(3);
  });
});
