/** What one delivery attempt came back with. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; retryAfter: string | null }
  | { kind: 'error'; message: string; timedOut: boolean };

export interface RetryLimits {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type AttemptDecision =
  | { action: 'delivered' }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'fail'; reason: string };

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) {
    return null;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with jitter: a random delay in [50%, 100%] of base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, limits: RetryLimits, random: () => number): number {
  const exponential = Math.min(
    limits.maxDelayMs,
    limits.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(exponential * (0.5 + random() * 0.5));
}

/**
 * After attempt number `attempt` (1-based): 2xx is delivered; a network error, timeout, 5xx,
 * 408 or 429 is retried (429/408/503 honour Retry-After) until `maxAttempts`; any other status
 * is final.
 */
export function decideAttempt(
  result: AttemptResult,
  attempt: number,
  limits: RetryLimits,
  random: () => number = Math.random,
  now: number = Date.now(),
): AttemptDecision {
  let reason: string;
  let hinted: number | null = null;
  if (result.kind === 'error') {
    reason = result.timedOut ? 'timed out' : result.message;
  } else {
    const code = result.statusCode;
    if (code >= 200 && code < 300) {
      return { action: 'delivered' };
    }
    reason = `HTTP ${code}`;
    const retryable = code >= 500 || code === 408 || code === 429;
    if (!retryable) {
      return { action: 'fail', reason: `${reason} (not retried)` };
    }
    if (code === 429 || code === 408 || code === 503) {
      hinted = retryAfterMs(result.retryAfter, now);
    }
  }
  if (attempt >= limits.maxAttempts) {
    return { action: 'fail', reason: `${reason} (after ${attempt} attempts)` };
  }
  const delayMs =
    hinted === null ? backoffMs(attempt, limits, random) : Math.min(hinted, limits.maxDelayMs);
  return { action: 'retry', delayMs, reason };
}
