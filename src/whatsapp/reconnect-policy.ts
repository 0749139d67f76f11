/** What to do when a session's connection closes. Pure, so every branch is unit tested. */
export type CloseDecision =
  /** 515 restart required: reconnect at once, not an error. */
  | { action: 'reconnect-now'; reason: string }
  /** A transient failure: wait `delayMs`, then reconnect. */
  | { action: 'reconnect-later'; reason: string; delayMs: number; attempt: number }
  /** 401: the device was logged out or removed; clear the auth state, never retry. */
  | { action: 'logged-out'; reason: string }
  /** Stop for good (replaced, forbidden, QR not scanned, gave up); `reason` says why. */
  | { action: 'stop'; reason: string; autoStart: boolean };

export interface ReconnectLimits {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failed attempts before giving up; 0 retries forever. */
  maxAttempts: number;
}

export interface CloseContext {
  /** Close code from Baileys (a Boom statusCode), if any. */
  statusCode: number | undefined;
  message: string | undefined;
  /** Consecutive failed attempts so far (reset when the connection opens). */
  failedAttempts: number;
  /**
   * Consecutive closes because an incoming message could not be stored, this one included
   * (reset when one is stored; see MESSAGE_NOT_STORED).
   */
  storeFailures?: number;
  limits: ReconnectLimits;
  random?: () => number;
}

/**
 * The close (patched Baileys, `beforeMessageReceipt`) of a connection whose incoming message
 * could not be stored: the message was not acknowledged and comes again at the next login.
 */
export const MESSAGE_NOT_STORED = 'Message not stored';

/** Capped exponential backoff with jitter: the n-th retry waits between 50% and 100% of min(max, base·2ⁿ⁻¹). */
export function backoffDelay(
  attempt: number,
  limits: Pick<ReconnectLimits, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

const REASONS: Record<number, string> = {
  401: 'logged out from the phone (device removed)',
  403: 'WhatsApp refused this account (forbidden)',
  408: 'connection timed out',
  411: 'multi-device mismatch: link the device again',
  428: 'connection closed',
  440: 'connection replaced: the same session was opened elsewhere',
  500: 'bad session',
  503: 'WhatsApp service unavailable',
  515: 'restart required',
};

/**
 * A network failure before WhatsApp answered, said in words: Baileys reports these as
 * `408: WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)` and the like.
 */
export function describeNetworkFailure(message: string | undefined): string | undefined {
  if (!message) {
    return undefined;
  }
  const dns = /(?:ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME)\s+(\S+?)\)?$/.exec(message);
  if (dns) {
    return `cannot reach WhatsApp: DNS lookup of ${dns[1]} failed`;
  }
  const refused = /ECONNREFUSED\s+(\S+?)\)?$/.exec(message);
  if (refused) {
    return `cannot reach WhatsApp: connection to ${refused[1]} refused`;
  }
  const unreachable = /(ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|ECONNRESET)(?:\s+(\S+?))?\)?$/.exec(
    message,
  );
  if (unreachable) {
    const where = unreachable[2] ? ` ${unreachable[2]}` : '';
    const what: Record<string, string> = {
      ENETUNREACH: 'network unreachable',
      EHOSTUNREACH: 'host unreachable',
      ETIMEDOUT: 'connection timed out',
      ECONNRESET: 'connection reset',
    };
    return `cannot reach WhatsApp${where}: ${what[unreachable[1]]}`;
  }
  const tls =
    /(self[- ]signed certificate[^)]*|unable to verify[^)]*|certificate has expired|CERT_\w+|ERR_TLS_\w+|ERR_SSL_\w+|Hostname\/IP does not match[^)]*)/i.exec(
      message,
    );
  if (tls) {
    return `cannot reach WhatsApp: TLS handshake failed (${tls[1]})`;
  }
  return undefined;
}

export function describeClose(statusCode: number | undefined, message: string | undefined): string {
  const network = describeNetworkFailure(message);
  if (network) {
    return network;
  }
  const known = statusCode === undefined ? undefined : REASONS[statusCode];
  const detail = message && message !== 'Connection Failure' ? message : undefined;
  if (known && detail && !known.toLowerCase().includes(detail.toLowerCase())) {
    return `${known} (${statusCode}: ${detail})`;
  }
  if (known) {
    return `${known} (${statusCode})`;
  }
  return detail ?? (statusCode ? `closed with code ${statusCode}` : 'connection lost');
}

export function decideOnClose(context: CloseContext): CloseDecision {
  const { statusCode, message, limits } = context;
  const reason = describeClose(statusCode, message);
  switch (statusCode) {
    case 515:
      return { action: 'reconnect-now', reason };
    case 401:
      return { action: 'logged-out', reason };
    case 440:
      // Another process holds these credentials; fighting it would loop forever
      return { action: 'stop', reason, autoStart: false };
    case 403:
    case 411:
      return { action: 'stop', reason, autoStart: false };
    default:
      break;
  }
  if (statusCode === 408 && message === 'QR refs attempts ended') {
    return { action: 'stop', reason: 'QR code was not scanned in time', autoStart: false };
  }
  if (message === MESSAGE_NOT_STORED) {
    // Each login succeeds and WhatsApp delivers the message again at once: while the store
    // fails (database away) the wait grows with every such close, not with failed logins, and
    // the session never gives up on it (a database outage is not the account's fault)
    return {
      action: 'reconnect-later',
      reason,
      attempt: context.failedAttempts,
      delayMs: backoffDelay(Math.max(1, context.storeFailures ?? 1), limits, context.random),
    };
  }
  const attempt = context.failedAttempts + 1;
  if (limits.maxAttempts > 0 && attempt > limits.maxAttempts) {
    return {
      action: 'stop',
      reason: `gave up after ${limits.maxAttempts} failed reconnect attempts: ${reason}`,
      autoStart: true,
    };
  }
  return {
    action: 'reconnect-later',
    reason,
    attempt,
    delayMs: backoffDelay(attempt, limits, context.random),
  };
}
