import {
  backoffDelay,
  decideOnClose,
  describeClose,
  MESSAGE_NOT_STORED,
  ReconnectLimits,
} from './reconnect-policy';

const limits: ReconnectLimits = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 5 };
const decide = (
  statusCode: number | undefined,
  failedAttempts = 0,
  message?: string,
  random = () => 1,
) => decideOnClose({ statusCode, message, failedAttempts, limits, random });

describe('reconnect policy', () => {
  it('reconnects at once after 515 (restart required), whatever the attempt count', () => {
    expect(decide(515, 99)).toEqual({ action: 'reconnect-now', reason: 'restart required (515)' });
  });

  it('ends logged out after 401, never retrying', () => {
    expect(decide(401)).toMatchObject({ action: 'logged-out' });
    expect(decide(401, 0, 'Intentional Logout').reason).toContain('Intentional Logout');
  });

  it('stops after 440 (replaced) and does not auto-start it again', () => {
    expect(decide(440)).toEqual({
      action: 'stop',
      reason: 'connection replaced: the same session was opened elsewhere (440)',
      autoStart: false,
    });
  });

  it('stops when the QR codes ran out instead of looping on new QR codes', () => {
    expect(decide(408, 0, 'QR refs attempts ended')).toEqual({
      action: 'stop',
      reason: 'QR code was not scanned in time',
      autoStart: false,
    });
  });

  it('retries other closes with capped exponential backoff', () => {
    const delays = [0, 1, 2, 3, 4].map((failed) => {
      const decision = decide(428, failed);
      expect(decision.action).toBe('reconnect-later');
      return decision.action === 'reconnect-later' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoffDelay(10, limits, () => 1)).toBe(30_000);
  });

  it('adds jitter: between half and all of the ceiling', () => {
    expect(backoffDelay(3, limits, () => 0)).toBe(2000);
    expect(backoffDelay(3, limits, () => 0.5)).toBe(3000);
    expect(backoffDelay(3, limits, () => 1)).toBe(4000);
  });

  it('gives up after the configured number of failed attempts, keeping it restorable', () => {
    const decision = decide(503, 5);
    expect(decision).toMatchObject({ action: 'stop', autoStart: true });
    expect(decision.reason).toBe(
      'gave up after 5 failed reconnect attempts: WhatsApp service unavailable (503)',
    );
  });

  it('waits longer after each close for a message not stored, and never gives up on them', () => {
    // every login succeeds (failedAttempts stays 0) and WhatsApp redelivers the message at once:
    // the wait grows with the consecutive store failures instead
    const delays = [1, 2, 3, 4, 5, 6, 7].map((storeFailures) =>
      decideOnClose({
        statusCode: 428,
        message: MESSAGE_NOT_STORED,
        failedAttempts: 0,
        storeFailures,
        limits,
        random: () => 1,
      }),
    );
    expect(delays.map((decision) => decision.action)).toEqual(Array(7).fill('reconnect-later'));
    expect(delays.map((decision) => ('delayMs' in decision ? decision.delayMs : -1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30_000, 30_000,
    ]);
    expect(delays[0]).toMatchObject({
      attempt: 0,
      reason: 'connection closed (428: Message not stored)',
    });
    // past maxAttempts of failed logins it still waits and retries
    expect(
      decideOnClose({
        statusCode: 428,
        message: MESSAGE_NOT_STORED,
        failedAttempts: 5,
        storeFailures: 50,
        limits,
        random: () => 1,
      }),
    ).toMatchObject({ action: 'reconnect-later', delayMs: 30_000 });
  });

  it('retries forever when maxAttempts is 0', () => {
    const forever = decideOnClose({
      statusCode: undefined,
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      failedAttempts: 1000,
      limits: { ...limits, maxAttempts: 0 },
      random: () => 1,
    });
    expect(forever).toMatchObject({
      action: 'reconnect-later',
      delayMs: 30_000,
      reason: 'cannot reach WhatsApp: connection to 127.0.0.1:1 refused',
    });
  });

  it('says in words when WhatsApp cannot be reached, instead of a raw socket error', () => {
    expect(describeClose(408, 'WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)')).toBe(
      'cannot reach WhatsApp: DNS lookup of web.whatsapp.com failed',
    );
    expect(describeClose(408, 'WebSocket Error (getaddrinfo EAI_AGAIN web.whatsapp.com)')).toBe(
      'cannot reach WhatsApp: DNS lookup of web.whatsapp.com failed',
    );
    expect(describeClose(408, 'WebSocket Error (connect ECONNREFUSED 127.0.0.1:4443)')).toBe(
      'cannot reach WhatsApp: connection to 127.0.0.1:4443 refused',
    );
    expect(
      describeClose(408, 'WebSocket Error (self-signed certificate in certificate chain)'),
    ).toBe(
      'cannot reach WhatsApp: TLS handshake failed (self-signed certificate in certificate chain)',
    );
    expect(describeClose(408, 'WebSocket Error (connect ENETUNREACH 157.240.1.1:443)')).toBe(
      'cannot reach WhatsApp 157.240.1.1:443: network unreachable',
    );
    // Anything else keeps the code's meaning plus the detail
    expect(describeClose(428, 'Stream Errored')).toBe('connection closed (428: Stream Errored)');
  });
});
