import { SystemClock } from '../../src/messaging/clock';

describe('SystemClock.schedule', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('runs a task due in years then, not at once (beyond setTimeout 24.8-day limit)', () => {
    const task = jest.fn();
    const due = new Date('2099-01-01T09:00:00Z');
    new SystemClock().schedule(due, task);
    jest.advanceTimersByTime(60 * 86_400_000);
    expect(task).not.toHaveBeenCalled();
    jest.advanceTimersByTime(due.getTime() - Date.now() - 1_000);
    expect(task).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('runs a past task at once, and a cancelled one never', () => {
    const clock = new SystemClock();
    const past = jest.fn();
    const cancelled = jest.fn();
    clock.schedule(new Date('2025-12-31T00:00:00Z'), past);
    const cancel = clock.schedule(new Date('2026-03-01T00:00:00Z'), cancelled);
    jest.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledTimes(1);
    cancel();
    jest.advanceTimersByTime(90 * 86_400_000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
