import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  test('tryAcquire takes free slots only; release hands a slot to the oldest waiter first', async () => {
    const local = new Semaphore(2);
    expect(local.tryAcquire()).toBe(true);
    expect(local.tryAcquire()).toBe(true);
    expect(local.tryAcquire()).toBe(false);
    expect(local.inUse).toBe(2);
    const order: string[] = [];
    const first = local.acquire().then(() => order.push('first'));
    const second = local.acquire().then(() => order.push('second'));
    local.release();
    await first;
    // The freed slot went to the waiter: none is free to take without queueing.
    expect(local.tryAcquire()).toBe(false);
    local.release();
    await second;
    expect(order).toEqual(['first', 'second']);
    local.release();
    local.release();
    expect(local.inUse).toBe(0);
  });
});
