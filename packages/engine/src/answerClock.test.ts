import { AnswerClock, LATE_BY_MS } from './answerClock';

describe('AnswerClock', () => {
  it('calls the first slow answers late, since the typical time starts at 0', () => {
    const clock = new AnswerClock();
    expect(clock.note(LATE_BY_MS + 1)).toBe(true);
    expect(clock.typicalMs).toBeCloseTo(1.6);
  });

  it('calls an answer late only when it is more than LATE_BY_MS slower than the typical time', () => {
    const clock = new AnswerClock();
    for (let i = 0; i < 200; i++) clock.note(100);
    expect(clock.typicalMs).toBeCloseTo(100);
    expect(clock.note(100 + LATE_BY_MS - 1)).toBe(false);
    expect(clock.note(100 + LATE_BY_MS + 5)).toBe(true);
  });

  it('follows a change of pace within a few dozen answers', () => {
    const clock = new AnswerClock();
    for (let i = 0; i < 50; i++) clock.note(10);
    for (let i = 0; i < 50; i++) clock.note(200);
    expect(clock.typicalMs).toBeGreaterThan(190);
  });
});
