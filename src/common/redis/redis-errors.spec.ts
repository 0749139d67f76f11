import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { logRedisErrors } from './redis-errors';

describe('logRedisErrors', () => {
  it('warns once per distinct connection error while ioredis keeps retrying', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    // nothing listens on port 1: every attempt is refused
    const client = logRedisErrors(
      new Redis('redis://127.0.0.1:1', { lazyConnect: true, retryStrategy: () => 5 }),
      'test client',
    );
    try {
      let errors = 0;
      const threeErrors = new Promise<void>((resolve) => {
        client.on('error', () => {
          errors += 1;
          if (errors === 3) {
            resolve();
          }
        });
      });
      client.connect().catch(() => undefined);
      await threeErrors;
      const ours = warn.mock.calls.filter(([message]) => String(message).startsWith('test client'));
      expect(ours).toHaveLength(1);
      expect(String(ours[0][0])).toMatch(/^test client: connect ECONNREFUSED .* \(reconnecting\)$/);
    } finally {
      client.disconnect();
      warn.mockRestore();
    }
  });
});
