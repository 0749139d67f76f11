import { backoffMs, decideAttempt, retryAfterMs } from './retry-policy';

const limits = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
const response = (statusCode: number, retryAfter: string | null = null) =>
  ({ kind: 'response', statusCode, retryAfter }) as const;

describe('webhook retry policy', () => {
  it('delivers on 2xx', () => {
    expect(decideAttempt(response(200), 1, limits)).toEqual({ action: 'delivered' });
    expect(decideAttempt(response(204), 3, limits)).toEqual({ action: 'delivered' });
  });

  it('does not retry a 4xx other than 408/429', () => {
    for (const code of [400, 401, 404, 410, 422]) {
      expect(decideAttempt(response(code), 1, limits)).toEqual({
        action: 'fail',
        reason: `HTTP ${code} (not retried)`,
      });
    }
  });

  it('retries 5xx, 408, 429, errors and timeouts with growing, jittered, capped delays', () => {
    expect(decideAttempt(response(500), 1, limits, () => 1)).toMatchObject({
      action: 'retry',
      delayMs: 1000,
    });
    expect(decideAttempt(response(502), 3, limits, () => 1)).toMatchObject({ delayMs: 4000 });
    expect(decideAttempt(response(408), 2, limits, () => 0)).toMatchObject({ delayMs: 1000 });
    expect(
      decideAttempt({ kind: 'error', message: 'ECONNREFUSED', timedOut: false }, 1, limits),
    ).toMatchObject({ action: 'retry', reason: 'ECONNREFUSED' });
    expect(decideAttempt({ kind: 'error', message: 'x', timedOut: true }, 1, limits)).toMatchObject(
      { action: 'retry', reason: 'timed out' },
    );
    expect(backoffMs(30, limits, () => 1)).toBe(60_000);
    expect(backoffMs(30, limits, () => 0)).toBe(30_000);
  });

  it('honours Retry-After on 429 (seconds or a date), capped at the max delay', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(decideAttempt(response(429, '7'), 1, limits, () => 1, now)).toMatchObject({
      delayMs: 7000,
    });
    expect(
      decideAttempt(response(429, 'Thu, 01 Jan 2026 00:00:30 GMT'), 1, limits, () => 1, now),
    ).toMatchObject({ delayMs: 30_000 });
    expect(decideAttempt(response(429, '3600'), 1, limits, () => 1, now)).toMatchObject({
      delayMs: 60_000,
    });
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('fails after the last attempt', () => {
    expect(decideAttempt(response(500), 5, limits)).toEqual({
      action: 'fail',
      reason: 'HTTP 500 (after 5 attempts)',
    });
  });
});
