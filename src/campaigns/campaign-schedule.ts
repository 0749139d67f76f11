import type { CampaignPacing } from './entities/campaign.entity';

const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of `at` in `timeZone`, and that local day as `YYYY-MM-DD`. */
export function localTime(at: Date, timeZone: string): { minutes: number; day: string } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '0';
  return {
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
    day: `${part('year')}-${part('month')}-${part('day')}`,
  };
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string): number => {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
};

/** Whether `at` falls in the quiet hours (start inclusive, end exclusive; may wrap midnight). */
export function inQuietHours(at: Date, pacing: CampaignPacing): boolean {
  if (!pacing.quietHours) {
    return false;
  }
  const now = localTime(at, pacing.timeZone).minutes;
  const start = minutesOf(pacing.quietHours.start);
  const end = minutesOf(pacing.quietHours.end);
  if (start === end) {
    return false;
  }
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The first minute boundary at or after `at` outside the quiet hours (or the start of the next
 * local day, for a daily cap). Found by stepping a minute at a time: DST-proof, at most a day.
 */
export function nextAllowed(at: Date, pacing: CampaignPacing, capReached: boolean): Date | null {
  if (!capReached && !inQuietHours(at, pacing)) {
    return null;
  }
  const today = localTime(at, pacing.timeZone).day;
  let candidate = new Date(Math.floor(at.getTime() / 60_000) * 60_000 + 60_000);
  for (let step = 0; step < 2 * 24 * 60; step++) {
    const dayChanged = localTime(candidate, pacing.timeZone).day !== today;
    if ((!capReached || dayChanged) && !inQuietHours(candidate, pacing)) {
      return candidate;
    }
    candidate = new Date(candidate.getTime() + 60_000);
  }
  return candidate;
}

/** A random wait between two sends of a campaign. */
export function intervalOf(pacing: CampaignPacing, random: () => number = Math.random): number {
  const { minIntervalMs, maxIntervalMs } = pacing;
  return minIntervalMs + Math.floor(random() * Math.max(0, maxIntervalMs - minIntervalMs));
}
