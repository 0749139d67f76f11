import { inQuietHours, intervalOf, localTime, nextAllowed } from './campaign-schedule';
import type { CampaignPacing } from './entities/campaign.entity';

const pacing = (overrides: Partial<CampaignPacing> = {}): CampaignPacing => ({
  minIntervalMs: 0,
  maxIntervalMs: 0,
  dailyCap: null,
  quietHours: { start: '21:00', end: '08:00' },
  timeZone: 'Asia/Jakarta',
  ...overrides,
});

describe('campaign schedule', () => {
  it('reads local time in the campaign time zone', () => {
    // 14:30 UTC is 21:30 in Jakarta (UTC+7)
    expect(localTime(new Date('2026-03-01T14:30:00Z'), 'Asia/Jakarta')).toEqual({
      minutes: 21 * 60 + 30,
      day: '2026-03-01',
    });
  });

  it('knows quiet hours that wrap midnight', () => {
    expect(inQuietHours(new Date('2026-03-01T14:30:00Z'), pacing())).toBe(true); // 21:30
    expect(inQuietHours(new Date('2026-03-01T00:59:00Z'), pacing())).toBe(true); // 07:59
    expect(inQuietHours(new Date('2026-03-01T01:00:00Z'), pacing())).toBe(false); // 08:00
    expect(inQuietHours(new Date('2026-03-01T05:00:00Z'), pacing({ quietHours: null }))).toBe(
      false,
    );
    const daytime = pacing({ quietHours: { start: '12:00', end: '13:00' } });
    expect(inQuietHours(new Date('2026-03-01T05:30:00Z'), daytime)).toBe(true); // 12:30
    expect(inQuietHours(new Date('2026-03-01T06:00:00Z'), daytime)).toBe(false); // 13:00
  });

  it('waits until the quiet hours end, or the next local day when the cap is reached', () => {
    // 21:30 Jakarta: the next send at 08:00 the next morning
    expect(nextAllowed(new Date('2026-03-01T14:30:00Z'), pacing(), false)).toEqual(
      new Date('2026-03-02T01:00:00Z'),
    );
    expect(nextAllowed(new Date('2026-03-01T05:00:00Z'), pacing(), false)).toBeNull();
    // the cap at 12:00 local: next local day starts at 17:00 UTC, inside quiet hours: 08:00
    expect(nextAllowed(new Date('2026-03-01T05:00:00Z'), pacing(), true)).toEqual(
      new Date('2026-03-02T01:00:00Z'),
    );
    expect(
      nextAllowed(new Date('2026-03-01T05:00:00Z'), pacing({ quietHours: null }), true),
    ).toEqual(new Date('2026-03-01T17:00:00Z'));
  });

  it('picks an interval between min and max', () => {
    const paced = pacing({ minIntervalMs: 1000, maxIntervalMs: 3000 });
    expect(intervalOf(paced, () => 0)).toBe(1000);
    expect(intervalOf(paced, () => 0.5)).toBe(2000);
    expect(intervalOf(pacing(), () => 0.5)).toBe(0);
  });
});
