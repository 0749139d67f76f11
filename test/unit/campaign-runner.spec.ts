import { SoleOwnership } from '../../src/cluster/sole-ownership';
import type { AppConfig } from '../../src/config/app-config';
import { CampaignRunner } from '../../src/campaigns/campaign-runner.service';
import type { CampaignEntity, CampaignPacing } from '../../src/campaigns/entities/campaign.entity';
import { FakeClock } from '../support/fake-clock';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the campaign runner on a fake clock', () => {
  // 22:30 in Jakarta (UTC+7): inside quiet hours 21:00-08:00
  const start = new Date('2026-03-01T15:30:00Z');
  const pacing: CampaignPacing = {
    minIntervalMs: 0,
    maxIntervalMs: 0,
    dailyCap: null,
    quietHours: { start: '21:00', end: '08:00' },
    timeZone: 'Asia/Jakarta',
  };
  const campaign = {
    id: '7',
    sessionId: 's1',
    name: 'quiet',
    state: 'running',
    pauseReason: null,
    message: { type: 'text', message: 'hi' },
    defaults: {},
    pacing,
    totalRecipients: 1,
    startedAt: start,
  } as unknown as CampaignEntity;

  it('holds the first send until the quiet hours end, then claims', async () => {
    const clock = new FakeClock(start.getTime());
    const held: (Date | null)[] = [];
    const claimed: Date[] = [];
    const transitions: string[] = [];
    const manager = {
      update: () => Promise.resolve({ affected: 1 }),
      findOneByOrFail: () => Promise.resolve(campaign),
    };
    const runner = new CampaignRunner(
      { findOneBy: () => Promise.resolve(campaign) } as never,
      {
        claimNext: () => {
          claimed.push(clock.now());
          return Promise.resolve({ kind: 'none' });
        },
      } as never,
      { forCampaign: () => Promise.resolve({}), forget: () => undefined } as never,
      {
        holdUntil: (_id: string, until: Date | null) => held.push(until),
        touch: () => undefined,
        counts: () => Promise.resolve(new Map()),
        recordWebhook: () => Promise.resolve(),
      } as never,
      { get: () => ({ state: 'connected' }) } as never,
      clock,
      {
        transaction: async (work: (m: typeof manager) => Promise<boolean>) => {
          const moved = await work(manager);
          transitions.push('completed');
          return moved;
        },
      } as never,
      { messaging: { sendTimeoutMs: 120_000 } } as unknown as AppConfig,
      new SoleOwnership('test', ''),
    );
    runner.launch(campaign);
    for (let i = 0; i < 10; i++) {
      await flush();
    }
    const morning = new Date('2026-03-02T01:00:00Z'); // 08:00 in Jakarta
    expect(held).toEqual([morning]);
    expect(claimed).toEqual([]);

    clock.advanceTo(new Date(morning.getTime() - 60_000));
    await flush();
    expect(claimed).toEqual([]);

    clock.advanceTo(morning);
    for (let i = 0; i < 10; i++) {
      await flush();
    }
    expect(held).toEqual([morning, null]);
    expect(claimed).toEqual([morning]);
    expect(transitions).toEqual(['completed']);
    runner.onModuleDestroy();
  });
});
