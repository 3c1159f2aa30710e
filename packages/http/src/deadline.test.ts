import { waitFor } from '@sluice/testkit';
import { createRequestSignal, type RequestSignal } from './deadline';

/** Counts the `abort` events a signal delivers to a listener, as undici would add it. */
function listen(request: RequestSignal): { fired: () => number } {
  let fired = 0;
  request.signal.addEventListener('abort', () => fired++, { once: true });
  return { fired: () => fired };
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('request deadlines', () => {
  test('requests past their deadline fire as deadline, in the order they started; settled ones never fire', async () => {
    const settled = createRequestSignal(20);
    const settledListener = listen(settled);
    const first = createRequestSignal(20);
    const second = createRequestSignal(20);
    const fired: RequestSignal[] = [];
    first.signal.addEventListener('abort', () => fired.push(first));
    second.signal.addEventListener('abort', () => fired.push(second));
    settled.dispose();
    await waitFor(() => fired.length === 2, { timeoutMs: 5_000, intervalMs: 5, what: 'both deadlines' });
    expect(fired).toEqual([first, second]);
    expect(first.trigger()).toBe('deadline');
    expect(first.aborted).toBe(true);
    expect(String(first.reason)).toContain('deadline of 20ms reached');
    expect(settled.trigger()).toBeNull();
    expect(settledListener.fired()).toBe(0);
    first.dispose();
    second.dispose();
  });

  test('each timeout keeps its own deadlines: a short one fires while a longer, older one waits', async () => {
    const long = createRequestSignal(60_000);
    const short = createRequestSignal(20);
    const shortListener = listen(short);
    await waitFor(() => shortListener.fired() === 1, { timeoutMs: 5_000, intervalMs: 5, what: 'the short deadline' });
    expect(long.trigger()).toBeNull();
    long.dispose();
    short.dispose();
  });

  test("the caller's abort fires every request in flight as caller, once; a deadline after it changes nothing", async () => {
    const caller = new AbortController();
    const a = createRequestSignal(20, caller.signal);
    const b = createRequestSignal(20, caller.signal);
    const aListener = listen(a);
    caller.abort(new Error('shutting down'));
    expect([a.trigger(), b.trigger()]).toEqual(['caller', 'caller']);
    expect(aListener.fired()).toBe(1);
    // A deadline firing later must not fire the signal again.
    const later = createRequestSignal(20);
    const laterListener = listen(later);
    await waitFor(() => laterListener.fired() === 1, { timeoutMs: 5_000, intervalMs: 5, what: 'a later deadline' });
    expect(a.trigger()).toBe('caller');
    expect(aListener.fired()).toBe(1);
    for (const s of [a, b, later]) s.dispose();
    // Already aborted: fires at once.
    const afterwards = createRequestSignal(20, caller.signal);
    expect(afterwards.trigger()).toBe('caller');
    afterwards.dispose();
  });

  test('a removed listener is not called', async () => {
    const request = createRequestSignal(20);
    let called = false;
    const listener = () => {
      called = true;
    };
    request.signal.addEventListener('abort', listener);
    request.signal.removeEventListener('abort', listener);
    await waitFor(() => request.aborted, { timeoutMs: 5_000, intervalMs: 5, what: 'the deadline' });
    expect(called).toBe(false);
    request.dispose();
  });

  test('no timer is left once every request has settled, so none holds the process open', () => {
    const before = timers();
    const requests = Array.from({ length: 50 }, () => createRequestSignal(30_000));
    expect(timers()).toBe(before + 1);
    for (const r of requests) r.dispose();
    expect(timers()).toBe(before);
  });
});
