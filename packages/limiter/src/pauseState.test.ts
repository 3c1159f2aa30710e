import { PauseState } from './pauseState';

describe('PauseState', () => {
  test('extends, never shortens, and reports each extension once', () => {
    const changes: number[] = [];
    const pause = new PauseState((untilMs) => changes.push(untilMs));
    const now = Date.now();
    expect(pause.untilMs).toBe(0);
    expect(pause.extend(now + 5_000)).toBe(true);
    expect(pause.extend(now + 1_000)).toBe(false);
    expect(pause.extend(now + 5_000)).toBe(false);
    expect(pause.extend(Number.NaN)).toBe(false);
    expect(pause.extend(Number.POSITIVE_INFINITY)).toBe(false);
    expect(pause.untilMs).toBe(now + 5_000);
    expect(pause.extend(now + 6_000)).toBe(true);
    expect(changes).toEqual([now + 5_000, now + 6_000]);
    expect(pause.remainingMs(now)).toBe(6_000);
    expect(pause.remainingMs(now + 10_000)).toBe(0);
  });

  test('wait resolves once the pause has passed, an extension made meanwhile included', async () => {
    const pause = new PauseState();
    const started = Date.now();
    pause.extend(started + 40);
    const waiting = pause.wait();
    pause.extend(started + 120);
    await waiting;
    expect(Date.now()).toBeGreaterThanOrEqual(started + 120);
  });

  test('wait resolves at once when not paused, and early when its signal aborts', async () => {
    const pause = new PauseState();
    await pause.wait();
    pause.extend(Date.now() + 60_000);
    const signal = AbortSignal.timeout(30);
    await pause.wait(signal);
    expect(signal.aborted).toBe(true);
  });
});
