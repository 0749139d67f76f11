import { FixedWindowStore } from './fixed-window-store';

describe('FixedWindowStore (in-memory rate-limit counters)', () => {
  let store: FixedWindowStore;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    store = new FixedWindowStore();
  });
  afterEach(() => {
    store.onModuleDestroy();
    jest.useRealTimers();
  });
  const hit = (key = 'k', limit = 3) => store.increment(key, 60_000, limit, 60_000, 'default');

  it('counts hits in a fixed window, then blocks for the block duration once past the limit', async () => {
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await hit();
    jest.advanceTimersByTime(10_000);
    expect(await hit()).toMatchObject({ totalHits: 3, timeToExpire: 50, isBlocked: false });
    expect(await hit()).toEqual({
      totalHits: 4,
      timeToExpire: 50,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    // other keys have their own window
    expect(await hit('other')).toMatchObject({ totalHits: 1, isBlocked: false });
    // the window ends before the block does: still blocked, counting in a new window
    jest.advanceTimersByTime(50_000);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: true, timeToBlockExpire: 10 });
    jest.advanceTimersByTime(10_000);
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('forgets idle keys on its sweep', async () => {
    await hit('idle');
    jest.advanceTimersByTime(120_000);
    expect(await hit('idle')).toMatchObject({ totalHits: 1, timeToExpire: 60 });
  });
});
