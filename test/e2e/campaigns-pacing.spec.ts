import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  CampaignEvents,
  type CampaignProgressEvent,
  type OptedOutEvent,
} from '../../src/campaigns/campaign-events';
import { MAX_CAMPAIGN_RECIPIENTS } from '../../src/campaigns/dto/create-campaign.dto';
import { StoredMessageEvents, type MessageStoredEvent } from '../../src/messaging/messaging-events';
import type { ReceivedMessage, SimAccount, WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import {
  type CampaignView,
  campaignView,
  completion,
  nextProgress,
  progressWebhooks,
} from '../support/campaigns';
import { json, linkSession } from '../support/contacts';
import { FakeClock } from '../support/fake-clock';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { type Listenable, nextEmitted } from '../support/next-emitted';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

const ENV = { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0', DEFAULT_COUNTRY_CODE: '1' };
const NO_PACING = { minIntervalMs: 0, maxIntervalMs: 0 };
/** A 2×2 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
/** A group nobody has: WhatsApp answers its metadata query with item-not-found. */
const UNKNOWN_GROUP = '120363999999999999@g.us';

interface RecipientView {
  address: string;
  state: string;
  reason: string | null;
  messageId: string | null;
}

/**
 * Campaign behaviour campaigns.spec.ts does not cover: a scheduled start, the daily cap, the
 * interval between sends, media with a personalised caption, stored contacts filtered by group
 * and by name, opt-outs by reply while sending and by custom keywords, cancel while sending, a
 * send WhatsApp refuses, quiet hours released on a fake clock, and oversized input.
 */
describe(`campaign pacing, sources and outcomes against the simulator (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  /** When the simulated WhatsApp received each message (by id), on this process's clock. */
  const arrivals = new Map<string, number>();
  let stopRecording: () => void;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    stopRecording = sim.on('message', (message) => arrivals.set(message.id, Date.now()));
  });
  afterAll(async () => {
    stopRecording?.();
    await sim?.stop();
    untrust?.();
  });

  /** What one session's tests need: its gateway, its phone and the campaign routes. */
  function sessionOf(sessionId: string, current: () => { gateway: TestApp; account: SimAccount }) {
    const create = (body: Record<string, unknown>) =>
      current().gateway.post(`/sessions/${sessionId}/campaigns`, body);
    const createOk = async (body: Record<string, unknown>): Promise<CampaignView> => {
      const response = await create(body);
      const created = await json<CampaignView>(response);
      expect([response.status, created.errors]).toEqual([201, undefined]);
      return created.data;
    };
    const recipients = async (campaignId: string): Promise<RecipientView[]> =>
      (
        await json<RecipientView[]>(
          await current().gateway.request(
            `/sessions/${sessionId}/campaigns/${campaignId}/recipients?per_page=100`,
          ),
        )
      ).data;
    /** What the phone with this number got, of the messages carrying `marker`. */
    const got = (phone: string, marker: string): ReceivedMessage[] =>
      current()
        .account.received()
        .filter(
          (message) =>
            message.to === `${phone}@s.whatsapp.net` &&
            (message.text ?? message.media?.caption ?? '').includes(marker),
        );
    /** Resolves once WhatsApp received every claimed recipient's message. */
    const arrived = (rows: RecipientView[]) =>
      Promise.all(
        rows
          .filter((row) => row.messageId)
          .map((row) =>
            current().account.waitForMessage((message) => message.id === row.messageId),
          ),
      );
    /** The campaigns of the session, as `GET /sessions/:id/campaigns` lists them. */
    const listed = async () => {
      const body = await json<CampaignView[]>(
        await current().gateway.request(`/sessions/${sessionId}/campaigns?per_page=100`),
      );
      return { total: body.meta?.total, ids: body.data.map((campaign) => campaign.id) };
    };
    return {
      create,
      createOk,
      recipients,
      got,
      arrived,
      listed,
      view: (campaignId: string) => campaignView(current().gateway, sessionId, campaignId),
      completed: (campaignId: string) => completion(current().gateway, sessionId, campaignId),
      /** The next progress of a campaign of the session held back (quiet hours, daily cap). */
      nextHold: (timeoutMs: number) =>
        nextEmitted<CampaignProgressEvent>(
          current().gateway.app.get(EventEmitter2),
          CampaignEvents.Progress,
          (event) => event.sessionId === sessionId && event.nextSendAt !== null,
          timeoutMs,
        ),
    };
  }

  describe('on the real clock', () => {
    const SESSION = 'pacing-1';
    let gateway: TestApp;
    let linked: LinkInfo;
    let account: SimAccount;
    const { createOk, create, recipients, got, arrived, listed, view, completed, nextHold } =
      sessionOf(SESSION, () => ({ gateway, account }));
    const pn = (index: number) => linked.contacts[index].pn;

    beforeAll(async () => {
      gateway = await startGateway(sim, { ...ENV, CAMPAIGN_PROGRESS_WEBHOOK_MS: '1000' });
      // two groups of three contacts each: contacts 0-2 and 3-5
      linked = await linkSession(gateway, sim, SESSION, { contacts: 16, groups: 2 });
      account = sim.account(linked.phone);
      const grab = await gateway.request(`/api/sessions/${SESSION}/grab-all`);
      expect(grab.status).toBe(200);
    }, 120_000);
    afterAll(async () => {
      await gateway?.close();
    });

    it('starts a scheduled campaign at scheduledAt, not before', async () => {
      const scheduledAt = new Date(Date.now() + 2_500);
      const created = await createOk({
        name: 'later',
        message: 'scheduled hello',
        recipients: [{ to: pn(6) }],
        scheduledAt: scheduledAt.toISOString(),
        pacing: NO_PACING,
      });
      expect(created).toMatchObject({
        state: 'scheduled',
        scheduledAt: scheduledAt.toISOString(),
        nextSendAt: null,
      });
      expect(await view(created.id)).toMatchObject({ state: 'scheduled' });
      expect(got(pn(6), 'scheduled hello')).toHaveLength(0);

      await completed(created.id);
      const message = await account.waitForMessage(
        (candidate) => candidate.text === 'scheduled hello',
      );
      expect(arrivals.get(message.id)).toBeGreaterThanOrEqual(scheduledAt.getTime());
      const done = await view(created.id);
      expect(done.state).toBe('completed');
      expect(new Date(done.startedAt ?? 0).getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
      expect(got(pn(6), 'scheduled hello')).toHaveLength(1);
    }, 30_000);

    it('sends exactly dailyCap messages, then holds until the next local day', async () => {
      // a zone where it is about noon now: the local day does not end during the test
      const offset = 12 - new Date().getUTCHours(); // hours ahead of UTC, -11..12
      const timeZone =
        offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
      const capped = [pn(7), pn(8), pn(10)];
      const held = nextHold(30_000);
      const created = await createOk({
        name: 'capped',
        message: 'capped hello',
        recipients: capped.map((to) => ({ to })),
        pacing: { ...NO_PACING, dailyCap: 2, timeZone },
      });
      const holding = await held;
      expect(holding.campaignId).toBe(created.id);
      const hour = 3_600_000;
      const localNow = Date.now() + offset * hour;
      const nextLocalMidnight =
        (Math.floor(localNow / (24 * hour)) + 1) * 24 * hour - offset * hour;
      expect(holding.nextSendAt?.toISOString()).toBe(new Date(nextLocalMidnight).toISOString());

      const current = await view(created.id);
      expect(current).toMatchObject({
        state: 'running',
        nextSendAt: new Date(nextLocalMidnight).toISOString(),
      });
      expect(new Date(current.nextSendAt ?? 0).getTime()).toBeGreaterThan(Date.now());
      expect(current.counts.pending).toBe(1);
      const rows = await recipients(created.id);
      const claimed = rows.filter((row) => row.messageId);
      expect(claimed.map((row) => row.address)).toEqual(capped.slice(0, 2));
      await arrived(claimed);
      expect(capped.map((phone) => got(phone, 'capped hello').length)).toEqual([1, 1, 0]);
      expect(rows[2]).toMatchObject({ address: capped[2], state: 'pending', messageId: null });
      // held: nothing reaches the third recipient (a second, several times what a send takes)
      await expect(
        account.waitForMessage((message) => message.to === `${capped[2]}@s.whatsapp.net`, 1_000),
      ).rejects.toThrow(/timed out/);
      expect((await view(created.id)).counts.pending).toBe(1);

      const cancelled = await gateway.post(`/sessions/${SESSION}/campaigns/${created.id}/cancel`);
      expect((await json<CampaignView>(cancelled)).data).toMatchObject({
        state: 'cancelled',
        nextSendAt: null,
      });
      expect(got(capped[2], 'capped hello')).toHaveLength(0);
    }, 30_000);

    it('keeps at least minIntervalMs between two sends of a campaign', async () => {
      const minIntervalMs = 250;
      const created = await createOk({
        name: 'paced',
        message: 'paced hello',
        recipients: [11, 12, 13, 14].map((index) => ({ to: pn(index) })),
        pacing: { minIntervalMs, maxIntervalMs: 300 },
      });
      await completed(created.id);
      const rows = await recipients(created.id);
      await arrived(rows);
      const times = rows
        .map((row) => arrivals.get(row.messageId ?? '') ?? NaN)
        .sort((a, b) => a - b);
      expect(times).toHaveLength(4);
      for (let index = 1; index < times.length; index++) {
        expect(times[index] - times[index - 1]).toBeGreaterThanOrEqual(minIntervalMs);
      }
    }, 30_000);

    it("reports a running campaign's counts by webhook at most every CAMPAIGN_PROGRESS_WEBHOOK_MS", async () => {
      const receiver = await progressWebhooks(gateway, SESSION);
      try {
        const created = await createOk({
          name: 'progress by webhook',
          message: 'progress {{name}}',
          recipients: [pn(6), pn(7), pn(8), pn(9), pn(10)].map((to) => ({ to })),
          pacing: { minIntervalMs: 700, maxIntervalMs: 700 },
        });
        type Progress = {
          CampaignID: string;
          State: string;
          Counts: Record<string, number>;
          Timestamp: string;
        };
        const ours = (webhook: { body: { type?: unknown; event?: unknown } }) =>
          webhook.body.type === 'CampaignProgress' &&
          (webhook.body.event as Progress).CampaignID === created.id;
        await receiver.next(
          (webhook) => ours(webhook) && (webhook.body.event as Progress).State === 'completed',
          30_000,
        );
        const events = receiver.received
          .filter(ours)
          .map((webhook) => webhook.body.event as Progress)
          .sort((a, b) => Date.parse(a.Timestamp) - Date.parse(b.Timestamp));
        const during = events.filter((event) => event.State === 'running');
        // counts part-way through: some sent, some still pending
        expect(during.length).toBeGreaterThan(0);
        expect(during.some((event) => event.Counts.pending > 0 && event.Counts.pending < 5)).toBe(
          true,
        );
        for (let i = 1; i < during.length; i++) {
          const apart = Date.parse(during[i].Timestamp) - Date.parse(during[i - 1].Timestamp);
          expect(apart).toBeGreaterThanOrEqual(1000);
        }
        expect(events[events.length - 1]).toMatchObject({ State: 'completed' });
      } finally {
        await receiver.stop();
      }
    }, 30_000);

    it('sends an image with a caption personalised per recipient (variables and spintax)', async () => {
      const created = await createOk({
        name: 'pictures',
        type: 'image',
        media: `data:image/png;base64,${PNG.toString('base64')}`,
        caption: '{Hi|Hello|Hey} {{name|friend}}, picture code {{code|NONE}}',
        recipients: [
          { to: pn(0), name: 'Ann', variables: { code: 'A-1' } },
          { to: pn(1), name: 'Bob' },
          { to: pn(2) },
        ],
        pacing: NO_PACING,
      });
      expect(created).toMatchObject({
        type: 'image',
        message: expect.stringContaining('{{name|friend}}'),
      });
      await completed(created.id);
      await arrived(await recipients(created.id));
      const expected: [string, string, string][] = [
        [pn(0), 'Ann', 'A-1'],
        [pn(1), 'Bob', 'NONE'],
        [pn(2), 'friend', 'NONE'],
      ];
      for (const [phone, name, code] of expected) {
        const images = got(phone, 'picture code');
        expect(images).toHaveLength(1);
        expect(images[0].media).toMatchObject({ type: 'image', mimetype: 'image/png' });
        expect(images[0].media?.data?.equals(PNG)).toBe(true);
        expect(images[0].media?.caption).toMatch(
          new RegExp(`^(Hi|Hello|Hey) ${name}, picture code ${code}$`),
        );
      }
    }, 30_000);

    it('sends to the stored contacts of one group, and to those a search finds, only', async () => {
      const group = linked.groups[1];
      const members = group.participants
        .filter((participant) => participant.pn !== linked.phone)
        .map((participant) => participant.pn)
        .sort();
      expect(members).toHaveLength(3);
      const search = linked.contacts[9].name;
      const found = linked.contacts
        .filter((contact) => contact.name.toLowerCase().includes(search.toLowerCase()))
        .map((contact) => contact.pn)
        .sort();
      expect(found.length).toBeLessThan(linked.contacts.length);

      for (const [contacts, marker, expected] of [
        [{ type: 'individual', groupId: group.id }, 'group pick', members],
        [{ type: 'individual', search }, 'search pick', found],
      ] as const) {
        const created = await createOk({
          name: marker,
          message: `${marker} for {{name}}`,
          contacts,
          pacing: NO_PACING,
        });
        expect(created.totalRecipients).toBe(expected.length);
        await completed(created.id);
        const rows = await recipients(created.id);
        expect(rows.map((row) => row.address).sort()).toEqual(expected);
        await arrived(rows);
        const reached = linked.contacts
          .filter((contact) => got(contact.pn, marker).length > 0)
          .map((contact) => contact.pn)
          .sort();
        expect(reached).toEqual(expected);
        for (const phone of expected) {
          const name = linked.contacts.find((contact) => contact.pn === phone)?.name;
          expect(got(phone, marker).map((message) => message.text)).toEqual([
            `${marker} for ${name}`,
          ]);
        }
      }
    }, 30_000);

    it('skips a recipient who replies STOP while the campaign is sending, without a pause', async () => {
      const [first, second, last] = [pn(12), pn(13), pn(15)];
      const created = await createOk({
        name: 'stop while sending',
        message: 'slow hello',
        recipients: [first, second, last].map((to) => ({ to })),
        pacing: { minIntervalMs: 1_500, maxIntervalMs: 1_500 },
      });
      await account.waitForMessage(
        (message) => message.to === `${first}@s.whatsapp.net` && message.text === 'slow hello',
      );
      const optedOut = nextEmitted<OptedOutEvent>(
        gateway.app.get(EventEmitter2),
        CampaignEvents.OptedOut,
        (event) => event.sessionId === SESSION && event.phones.includes(last),
        15_000,
      );
      await account.sendText(last, 'STOP');
      expect(await optedOut).toMatchObject({ source: 'reply' });
      // still sending: not paused, and the last recipient's turn has not come yet
      const during = await view(created.id);
      expect(during).toMatchObject({ state: 'running', pauseReason: null });
      expect((await recipients(created.id))[2]).toMatchObject({ address: last, state: 'pending' });

      await completed(created.id);
      const rows = await recipients(created.id);
      await arrived(rows);
      expect(rows.map((row) => [row.address, row.state === 'skipped', row.reason])).toEqual([
        [first, false, null],
        [second, false, null],
        [last, true, 'opted_out'],
      ]);
      expect(rows[2].messageId).toBeNull();
      expect([first, second, last].map((phone) => got(phone, 'slow hello').length)).toEqual([
        1, 1, 0,
      ]);
      const optOuts = await json<{ phoneNumber: string; source: string }[]>(
        await gateway.request(`/sessions/${SESSION}/opt-outs`),
      );
      expect(optOuts.data).toContainEqual(
        expect.objectContaining({ phoneNumber: last, source: 'reply' }),
      );
    }, 30_000);

    it('sends nothing more after a cancel than the one message already under way', async () => {
      const targets = [0, 1, 2, 3, 4, 5, 7, 8].map(pn);
      const marker = 'cancel me';
      const created = await createOk({
        name: 'cancelled while sending',
        message: marker,
        recipients: targets.map((to) => ({ to })),
        pacing: { minIntervalMs: 300, maxIntervalMs: 300 },
      });
      const delivered = () => targets.filter((phone) => got(phone, marker).length > 0).length;
      await account.waitForMessage(() => delivered() >= 2, 20_000);
      const cancelled = await gateway.post(`/sessions/${SESSION}/campaigns/${created.id}/cancel`);
      const atCancel = delivered();
      expect(cancelled.status).toBe(200);
      expect((await json<CampaignView>(cancelled)).data).toMatchObject({
        state: 'cancelled',
        nextSendAt: null,
      });

      // nothing beyond the one message that may have been under way, for three intervals and
      // more (a loop still running would have claimed three or four)
      await expect(
        account.waitForMessage(() => delivered() > atCancel + 1, 3 * 300 + 500),
      ).rejects.toThrow(/timed out/);
      const rows = await recipients(created.id);
      const claimed = rows.filter((row) => row.messageId);
      await arrived(claimed);

      expect(claimed.length).toBeLessThanOrEqual(atCancel + 1);
      expect(delivered()).toBe(claimed.length);
      for (const row of rows) {
        expect(got(row.address, marker)).toHaveLength(row.messageId ? 1 : 0);
      }
      // the rest stay pending, never sent
      const rest = rows.filter((row) => !row.messageId);
      expect(rest.length).toBe(targets.length - claimed.length);
      expect(rest.every((row) => row.state === 'pending')).toBe(true);
      const after = await view(created.id);
      expect(after).toMatchObject({ state: 'cancelled', nextSendAt: null });
      expect(after.counts.pending).toBe(rest.length);
    }, 30_000);

    it('marks a recipient WhatsApp refuses as failed with the reason, and goes on', async () => {
      const created = await createOk({
        name: 'refused',
        message: 'refused hello',
        recipients: [{ to: UNKNOWN_GROUP }, { to: pn(9) }],
        pacing: NO_PACING,
      });
      await completed(created.id);
      const rows = await recipients(created.id);
      expect(rows[0]).toMatchObject({ address: UNKNOWN_GROUP, state: 'failed' });
      expect(rows[0].reason).toMatch(/not-found|404/i);
      expect(rows[1]).toMatchObject({ address: pn(9) });
      expect(['sent', 'delivered', 'read']).toContain(rows[1].state);
      await arrived(rows.slice(1));
      expect(got(pn(9), 'refused hello')).toHaveLength(1);
      expect(account.received().filter((message) => message.to === UNKNOWN_GROUP)).toHaveLength(0);
      const { counts } = await view(created.id);
      expect(counts.failed).toBe(1);
    }, 30_000);

    it('answers more recipients than a campaign may have with a 413 naming the limit, and creates nothing', async () => {
      const before = await listed();
      const recipientsOver = Array.from({ length: MAX_CAMPAIGN_RECIPIENTS + 1 }, (_, index) => ({
        to: `1999${String(index).padStart(7, '0')}`,
      }));
      const response = await create({
        name: 'too many',
        message: 'hi',
        recipients: recipientsOver,
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        success: false,
        message: `A campaign has at most ${MAX_CAMPAIGN_RECIPIENTS} recipients`,
      });
      expect(await listed()).toEqual(before);
    }, 60_000);
  });

  describe('on a fake clock, with custom stop keywords and a small upload limit', () => {
    const SESSION = 'pacing-2';
    const UPLOAD_MAX_BYTES = 2_048;
    // 22:30 in Jakarta (UTC+7): inside quiet hours 21:00-08:00
    const clock = new FakeClock(new Date('2026-03-01T15:30:00Z').getTime());
    const morning = new Date('2026-03-02T01:00:00Z'); // 08:00 in Jakarta
    let gateway: TestApp;
    let linked: LinkInfo;
    let account: SimAccount;
    const { createOk, recipients, got, arrived, listed, view, completed, nextHold } = sessionOf(
      SESSION,
      () => ({ gateway, account }),
    );
    const pn = (index: number) => linked.contacts[index].pn;

    beforeAll(async () => {
      gateway = await startGateway(
        sim,
        {
          ...ENV,
          CAMPAIGN_STOP_KEYWORDS: 'Basta, Berhenti Promo',
          CAMPAIGN_UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
        },
        undefined,
        { clock },
      );
      linked = await linkSession(gateway, sim, SESSION, { contacts: 5, groups: 0 });
      account = sim.account(linked.phone);
    }, 120_000);
    afterAll(async () => {
      await gateway?.close();
    });

    it('holds the sends in quiet hours and sends them once the clock passes their end', async () => {
      const held = nextHold(20_000);
      const created = await createOk({
        name: 'night',
        message: 'good morning',
        recipients: [{ to: pn(3) }, { to: pn(4) }],
        pacing: {
          ...NO_PACING,
          quietHours: { start: '21:00', end: '08:00' },
          timeZone: 'Asia/Jakarta',
        },
      });
      const holding = await held;
      expect(holding).toMatchObject({ campaignId: created.id, state: 'running' });
      expect(holding.nextSendAt?.toISOString()).toBe(morning.toISOString());
      const during = await view(created.id);
      expect(during).toMatchObject({ state: 'running', nextSendAt: morning.toISOString() });
      expect(during.counts.pending).toBe(2);
      // the runner runs on the fake clock
      expect(during.startedAt).toBe('2026-03-01T15:30:00.000Z');
      expect([got(pn(3), 'good morning'), got(pn(4), 'good morning')]).toEqual([[], []]);

      // a minute before the end: still held
      clock.advanceTo(new Date(morning.getTime() - 60_000));
      expect(await view(created.id)).toMatchObject({
        state: 'running',
        nextSendAt: morning.toISOString(),
        counts: expect.objectContaining({ pending: 2 }),
      });

      const released = nextProgress(gateway, created.id, (event) => event.nextSendAt === null);
      clock.advanceTo(morning);
      await released;
      await completed(created.id);
      await arrived(await recipients(created.id));
      expect(
        [got(pn(3), 'good morning'), got(pn(4), 'good morning')].map((list) => list.length),
      ).toEqual([1, 1]);
      expect(await view(created.id)).toMatchObject({
        state: 'completed',
        nextSendAt: null,
        finishedAt: morning.toISOString(),
      });
    }, 30_000);

    it('opts out on a custom stop keyword only (the default STOP no longer does), and a campaign skips it', async () => {
      const [saysStop, saysBasta, saysPromo, other] = [pn(0), pn(1), pn(2), pn(3)];
      const events: Listenable = gateway.app.get(EventEmitter2);
      const optedOut: string[] = [];
      const collect = (event: OptedOutEvent) => {
        if (event.sessionId === SESSION) {
          optedOut.push(...event.phones);
        }
      };
      events.on(CampaignEvents.OptedOut, collect);
      try {
        const stored = nextEmitted<MessageStoredEvent>(
          events,
          StoredMessageEvents.Message,
          (event) => event.sessionId === SESSION && event.message.text === 'STOP',
          15_000,
        );
        await account.sendText(saysStop, 'STOP');
        await stored;
        // stored after STOP was: had STOP opted its sender out, that would be in already
        for (const [phone, text] of [
          [saysBasta, 'basta!'],
          [saysPromo, 'berhenti promo.'],
        ]) {
          const added = nextEmitted<OptedOutEvent>(
            events,
            CampaignEvents.OptedOut,
            (event) => event.sessionId === SESSION && event.phones.includes(phone),
            15_000,
          );
          await account.sendText(phone, text);
          expect(await added).toMatchObject({ source: 'reply' });
        }
        const list = await json<{ phoneNumber: string; source: string }[]>(
          await gateway.request(`/sessions/${SESSION}/opt-outs`),
        );
        expect(list.data.map((row) => [row.phoneNumber, row.source]).sort()).toEqual(
          [
            [saysBasta, 'reply'],
            [saysPromo, 'reply'],
          ].sort(),
        );
        expect(optedOut.sort()).toEqual([saysBasta, saysPromo].sort());
      } finally {
        events.off(CampaignEvents.OptedOut, collect);
      }

      const created = await createOk({
        name: 'after the keywords',
        message: 'keyword hello',
        recipients: [saysStop, saysBasta, other].map((to) => ({ to })),
        pacing: NO_PACING,
      });
      await completed(created.id);
      const rows = await recipients(created.id);
      await arrived(rows);
      expect(
        rows.map((row) => [row.address, row.state === 'skipped' ? row.reason : 'sent']),
      ).toEqual([
        [saysStop, 'sent'],
        [saysBasta, 'opted_out'],
        [other, 'sent'],
      ]);
      expect(
        [saysStop, saysBasta, other].map((phone) => got(phone, 'keyword hello').length),
      ).toEqual([1, 0, 1]);
    }, 30_000);

    it('answers an upload over CAMPAIGN_UPLOAD_MAX_BYTES with a 413 in the envelope, and creates nothing', async () => {
      const before = await listed();
      const rows = Array.from(
        { length: 200 },
        (_, index) => `1444${String(index).padStart(7, '0')}`,
      );
      const csv = `phone\n${rows.join('\n')}\n`;
      expect(csv.length).toBeGreaterThan(UPLOAD_MAX_BYTES);
      const form = new FormData();
      form.append('name', 'too big');
      form.append('message', 'hi');
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'list.csv');
      const response = await gateway.request(`/sessions/${SESSION}/campaigns`, {
        method: 'POST',
        body: form,
      });
      expect(response.status).toBe(413);
      // the error envelope, naming the limit
      expect(await response.json()).toEqual({
        success: false,
        message: `The uploaded file is larger than CAMPAIGN_UPLOAD_MAX_BYTES (${UPLOAD_MAX_BYTES} bytes)`,
      });
      expect(await listed()).toEqual(before);
    });
  });
});
