import { EventEmitter2 } from '@nestjs/event-emitter';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { CampaignEvents, type OptedOutEvent } from '../../src/campaigns/campaign-events';
import { CampaignRunner } from '../../src/campaigns/campaign-runner.service';
import { CampaignTracker } from '../../src/campaigns/campaign-tracker.service';
import { nextEmitted } from '../support/next-emitted';
import { CampaignEntity } from '../../src/campaigns/entities/campaign.entity';
import { CampaignRecipientEntity } from '../../src/campaigns/entities/campaign-recipient.entity';
import { OptOutEntity } from '../../src/campaigns/entities/opt-out.entity';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { MessageStatusEntity } from '../../src/messaging/entities/message-status.entity';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import { QueuedSendEntity } from '../../src/messaging/entities/queued-send.entity';
import { StoredMessageEvents, type StatusStoredEvent } from '../../src/messaging/messaging-events';
import type { CampaignProgressEvent } from '../../src/campaigns/campaign-events';
import type { SimAccount, WaSimulator } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import {
  type CampaignView,
  campaignView,
  completion as completed,
  nextProgress,
  progressWebhooks,
} from '../support/campaigns';
import { json, linkSession, sessionConnected } from '../support/contacts';
import { subscriber } from '../support/messaging-harness';
import { nextEvent } from '../support/socket-client';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase, testTier } from '../support/test-database';

const SESSION = 'blast-1';
const CONTACTS = 200;
const ENV = { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0', DEFAULT_COUNTRY_CODE: '1' };
const NO_PACING = { minIntervalMs: 0, maxIntervalMs: 0 };
/** An hour and minute of the UTC clock, as quiet hours take them. */
const hhmm = (date: Date) => date.toISOString().slice(11, 16);
/** Quiet hours from an hour ago to an hour from now (UTC): a campaign in them holds its sends. */
function quietAroundNow(): { now: Date; quietHours: { start: string; end: string } } {
  const now = new Date();
  return {
    now,
    quietHours: {
      start: hhmm(new Date(now.getTime() - 3_600_000)),
      end: hhmm(new Date(now.getTime() + 3_600_000)),
    },
  };
}
/** Numbers nobody has on the simulated WhatsApp. */
const UNKNOWN = ['19995550001', '19995550002'];

describe(`campaigns against the simulator (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let linked: LinkInfo;
  let account: SimAccount;
  /** The stored contacts' names by number, as the grab saved them. */
  const names = new Map<string, string>();

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(sim, ENV, db);
    linked = await linkSession(gateway, sim, SESSION, { contacts: CONTACTS, groups: 0 });
    account = sim.account(linked.phone);
    const grab = await gateway.request(`/api/sessions/${SESSION}/grab-contacts`);
    expect(grab.status).toBe(200);
    const stored = await json<{ contacts: { phone_number: string; name: string | null }[] }>(
      await gateway.request(`/api/sessions/${SESSION}/contacts?type=individual&per_page=500`),
    );
    for (const contact of stored.data.contacts) {
      names.set(contact.phone_number, contact.name ?? '');
    }
    expect(names.size).toBe(CONTACTS);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  const create = (body: Record<string, unknown>) =>
    gateway.post(`/sessions/${SESSION}/campaigns`, body);
  const completion = (id: string) => completed(gateway, SESSION, id);
  const campaign = (id: string) => campaignView(gateway, SESSION, id);
  /** A one-recipient campaign held by quiet hours around now: running, nothing sent; its id. */
  const createHeld = async (
    name: string,
    to: string,
    quietHours: { start: string; end: string },
  ): Promise<string> => {
    const response = await create({
      name,
      message: 'not now',
      recipients: [{ to }],
      pacing: { ...NO_PACING, quietHours, timeZone: 'UTC' },
    });
    return (await json<CampaignView>(response)).data.id;
  };
  const received = (phone: string, since = 0) =>
    account
      .received()
      .slice(since)
      .filter((message) => message.to === `${phone}@s.whatsapp.net`);

  it('sends a personalized, spun text to each stored contact exactly once, honouring opt-outs', async () => {
    const contacts = linked.contacts;
    const optedOutBefore = contacts[10].pn;
    const optsOutByReply = contacts[150].pn;
    const duplicate = contacts[0].pn;
    const optOut = await gateway.post(`/sessions/${SESSION}/opt-outs`, {
      phoneNumbers: [`+${optedOutBefore}`],
    });
    expect(optOut.status).toBe(201);
    const before = account.received().length;

    const response = await create({
      name: 'Promo',
      message: '{Hi|Hello|Hey} {{name|friend}}, your code is {{code|NONE}}!',
      recipients: [
        ...UNKNOWN.map((to) => ({ to })),
        { to: `+${duplicate}`, variables: { code: 'FIRST' } },
      ],
      contacts: { type: 'individual' },
      pacing: NO_PACING,
    });
    expect(response.status).toBe(201);
    const created = await json<CampaignView>(response);
    expect(created.data).toMatchObject({ state: 'running', totalRecipients: CONTACTS + 2 });
    const campaignId = created.data.id;

    // 50 messages in: pause, the 150th contact replies STOP, then resume
    await account.waitForMessage(() => account.received().length - before >= 50, 60_000);
    const paused = await gateway.post(`/sessions/${SESSION}/campaigns/${campaignId}/pause`);
    expect(paused.status).toBe(200);
    expect((await json<CampaignView>(paused)).data).toMatchObject({
      state: 'paused',
      pauseReason: 'user',
    });
    const claimed = async () => {
      const { counts } = await campaign(campaignId);
      return CONTACTS + 2 - counts.pending - counts.skipped;
    };
    const claimedAtPause = await claimed();
    const optedOut = nextEmitted<OptedOutEvent>(
      gateway.app.get(EventEmitter2),
      CampaignEvents.OptedOut,
      (event) => event.phones.includes(optsOutByReply),
      15_000,
    );
    await account.sendText(optsOutByReply, 'stop');
    expect(await optedOut).toMatchObject({ sessionId: SESSION, source: 'reply' });
    const listed = async () =>
      (
        await json<{ phoneNumber: string; source: string }[]>(
          await gateway.request(`/sessions/${SESSION}/opt-outs`),
        )
      ).data;
    expect((await listed()).map((row) => [row.phoneNumber, row.source]).sort()).toEqual(
      [
        [optedOutBefore, 'api'],
        [optsOutByReply, 'reply'],
      ].sort(),
    );
    // paused holds: nothing claimed after the answer, and the phones got exactly what was claimed
    await account.waitForMessage(() => account.received().length - before === claimedAtPause);
    expect(await claimed()).toBe(claimedAtPause);
    expect((await campaign(campaignId)).state).toBe('paused');

    const completed = nextProgress(gateway, campaignId, (event) => event.state === 'completed');
    const resumed = await gateway.post(`/sessions/${SESSION}/campaigns/${campaignId}/resume`);
    expect(resumed.status).toBe(200);
    const done: CampaignProgressEvent = await completed;
    expect(done.counts.pending).toBe(0);
    await account.waitForMessage(
      // the last sends may still be on their way to the simulated phones
      () => account.received().length - before >= CONTACTS - 2,
    );

    for (const contact of contacts) {
      const got = received(contact.pn, before);
      if (contact.pn === optedOutBefore || contact.pn === optsOutByReply) {
        expect(got).toHaveLength(0);
        continue;
      }
      expect(got).toHaveLength(1);
      // the first of duplicates wins (the listed entry and its variables); it had no name, so it
      // takes the stored contact's
      const name = names.get(contact.pn) || 'friend';
      const code = contact.pn === duplicate ? 'FIRST' : 'NONE';
      expect(got[0].text).toMatch(
        new RegExp(`^(Hi|Hello|Hey) ${escape(name)}, your code is ${code}!$`),
      );
    }
    for (const phone of UNKNOWN) {
      expect(received(phone, before)).toHaveLength(0);
    }
    // not byte-equal: the spintax chose more than one greeting
    const greetings = new Set(
      account
        .received()
        .slice(before)
        .map((message) => message.text?.split(' ')[0]),
    );
    expect(greetings.size).toBeGreaterThan(1);

    const skipped = await json<{ address: string; reason: string }[]>(
      await gateway.request(
        `/sessions/${SESSION}/campaigns/${campaignId}/recipients?state=skipped`,
      ),
    );
    expect(skipped.data.map((row) => [row.address, row.reason]).sort()).toEqual(
      [
        [UNKNOWN[0], 'not_on_whatsapp'],
        [UNKNOWN[1], 'not_on_whatsapp'],
        [optedOutBefore, 'opted_out'],
        [optsOutByReply, 'opted_out'],
      ].sort(),
    );

    // the simulated phones deliver and read: the report follows the stored message statuses
    const mismatches = () =>
      gateway.app
        .get(DataSource)
        .query<unknown[]>(
          'SELECT r.address, r.state, m.status FROM campaign_recipients r JOIN whatsapp_messages m ON m.message_id = r.message_id WHERE r.campaign_id = ? AND r.state <> m.status',
          [campaignId],
        );
    const receipted = (counts: Record<string, number>) =>
      counts.queued === 0 && counts.sent === 0 && counts.delivered + counts.read === CONTACTS - 2;
    const allReceipted = nextProgress(gateway, campaignId, (event) => receipted(event.counts));
    if (!receipted((await campaign(campaignId)).counts)) {
      await allReceipted;
    }
    allReceipted.catch(() => undefined);
    for (let attempt = 0; attempt < 20 && (await mismatches()).length > 0; attempt++) {
      await nextProgress(gateway, campaignId, () => true, 1_000).catch(() => undefined);
    }
    expect(await mismatches()).toEqual([]);
    const { counts } = await campaign(campaignId);
    expect(counts.read).toBeGreaterThan(CONTACTS / 2);
    const report = await gateway.request(
      `/sessions/${SESSION}/campaigns/${campaignId}/recipients?format=csv`,
    );
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await report.text()).trim().split('\n');
    expect(lines[0]).toMatch(/address,jid,name,state,reason,messageId,queuedAt,updatedAt/);
    expect(lines).toHaveLength(CONTACTS + 2 + 1);
    // read receipts may still come in between: the report has at least what the counts had
    const readLines = lines.filter((line) => line.includes(',read,')).length;
    expect(readLines).toBeGreaterThanOrEqual(counts.read);
    expect(readLines).toBeLessThanOrEqual(CONTACTS - 2);
  }, 180_000);

  it('catches a recipient up to its stored message status when an event did not move it', async () => {
    const dataSource = gateway.app.get(DataSource);
    const recipients = dataSource.getRepository(CampaignRecipientEntity);
    const read = await recipients.findOneByOrFail({ state: 'read' });
    const messageId = read.messageId ?? '';
    // as if the read receipt's event had not reached the tracker: delivered, and still followed
    await recipients.update({ id: read.id }, { state: 'delivered' });
    const tracker = gateway.app.get(CampaignTracker);
    tracker.follow(messageId, read.campaignId);
    await tracker.reconcile();
    expect((await recipients.findOneByOrFail({ id: read.id })).state).toBe('read');
  });

  it('answers bad input with a 400 naming the problem, and creates nothing', async () => {
    const count = () => gateway.app.get(DataSource).getRepository(CampaignEntity).count();
    const rows = () => gateway.app.get(DataSource).getRepository(CampaignRecipientEntity).count();
    const [campaignsBefore, rowsBefore] = [await count(), await rows()];
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'x', message: 'hi', recipients: [] }, 'recipients', /no recipients/],
      [{ name: 'x', message: 'hi' }, 'recipients', /give recipients/],
      [
        { name: 'x', message: 'hi {{voucher}}', recipients: [{ to: linked.contacts[0].pn }] },
        'message',
        /unknown variable \{\{voucher\}\}/,
      ],
      [
        { name: 'x', message: 'hi', recipients: [{ to: 'not a number' }] },
        'recipients[0].to',
        /not a phone number/,
      ],
      [
        { name: 'x', recipients: [{ to: linked.contacts[0].pn }] },
        'message',
        /message \(the text to send\) is required/,
      ],
      [
        {
          name: 'x',
          message: 'hi',
          recipients: [{ to: linked.contacts[0].pn }],
          pacing: { timeZone: 'Mars/Olympus' },
        },
        'pacing.timeZone',
        /unknown time zone/,
      ],
      [
        {
          name: 'x',
          message: 'hi',
          contacts: { type: 'individual', search: 'nobody-has-this-name' },
        },
        'recipients',
        /no recipients/,
      ],
    ];
    for (const [body, field, message] of cases) {
      const response = await create(body);
      expect(response.status).toBe(400);
      const answer = await json(response);
      expect(answer.success).toBe(false);
      const error = answer.errors?.find((candidate) => candidate.field === field);
      expect(error?.messages.join(' ')).toMatch(message);
    }
    // a bad CSV, a CSV without a phone column, a row that is not a number
    for (const [csv, problem] of [
      ['phone,name\n"1555,Bob\n', /CSV could not be read/],
      ['who,name\n15550001,Bob\n', /no phone column/],
      ['phone,name\n15550001,Bob\nabc,Ann\n', /row 3: "abc" is not a phone number/],
    ] as const) {
      const form = new FormData();
      form.append('name', 'upload');
      form.append('message', 'hi {{name}}');
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'list.csv');
      const response = await gateway.request(`/sessions/${SESSION}/campaigns`, {
        method: 'POST',
        body: form,
      });
      expect(response.status).toBe(400);
      const answer = await json(response);
      expect(answer.errors?.[0]).toMatchObject({ field: 'file' });
      expect(answer.errors?.[0].messages[0]).toMatch(problem);
    }
    const huge = new FormData();
    huge.append('name', 'huge');
    huge.append('message', 'hi');
    huge.append('file', new Blob(['phone\n', '1'.repeat(11 * 1024 * 1024)]), 'huge.csv');
    const tooLarge = await gateway.request(`/sessions/${SESSION}/campaigns`, {
      method: 'POST',
      body: huge,
    });
    expect(tooLarge.status).toBe(413);
    expect((await json(tooLarge)).success).toBe(false);
    expect([await count(), await rows()]).toEqual([campaignsBefore, rowsBefore]);

    const unknown = await gateway.request(`/sessions/${SESSION}/campaigns/999999`);
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ success: false, message: 'Campaign 999999 not found' });
  }, 60_000);

  it('creates a campaign from an uploaded CSV with its columns as variables', async () => {
    const [first, second] = linked.contacts;
    const csv = `phone,name,voucher\n+${first.pn},Ann,A-1\n${second.pn},,\n+${first.pn},Again,A-2\n`;
    const form = new FormData();
    form.append('name', 'from csv');
    form.append('message', 'Dear {{name|customer}}: {{voucher|no voucher}}');
    form.append('pacing', JSON.stringify(NO_PACING));
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'list.csv');
    const before = account.received().length;
    const response = await gateway.request(`/sessions/${SESSION}/campaigns`, {
      method: 'POST',
      body: form,
    });
    const created = await json<CampaignView>(response);
    expect([response.status, created.errors]).toEqual([201, undefined]);
    expect(created.data.totalRecipients).toBe(2);
    await completion(created.data.id);
    await Promise.all(
      [first, second].map((contact) =>
        account.waitForMessage((message) => message.to === `${contact.pn}@s.whatsapp.net`),
      ),
    );
    expect(received(first.pn, before).map((message) => message.text)).toEqual(['Dear Ann: A-1']);
    expect(received(second.pn, before).map((message) => message.text)).toEqual([
      'Dear customer: no voucher',
    ]);
  }, 60_000);

  it('pauses when the session goes offline and goes on when it is back, reported on socket.io and webhooks', async () => {
    const socket = await subscriber(gateway, SESSION);
    const receiver = await progressWebhooks(gateway, SESSION);
    try {
      // none of them opted out in the first test
      const recipients = linked.contacts.slice(20, 50);
      const before = account.received().length;
      const response = await create({
        name: 'through an outage',
        message: 'outage {{name}}',
        recipients: recipients.map((contact) => ({ to: contact.pn })),
        pacing: { minIntervalMs: 30, maxIntervalMs: 30 },
      });
      const campaignId = (await json<CampaignView>(response)).data.id;
      type Progress = { campaignId: string; state: string; pauseReason: string | null };
      const paused = nextEvent<Progress>(
        socket,
        'campaign_progress',
        (event) => event.campaignId === campaignId && event.pauseReason === 'session_offline',
        30_000,
      );
      const completed = nextEvent<Progress & { counts: Record<string, number> }>(
        socket,
        'campaign_progress',
        (event) => event.campaignId === campaignId && event.state === 'completed',
        60_000,
      );
      await account.waitForMessage(() => account.received().length - before >= 5);
      account.refuseConnections(1_500);
      account.drop();
      expect(await paused).toMatchObject({ state: 'paused', pauseReason: 'session_offline' });
      const done = await completed;
      expect(done.counts.pending).toBe(0);
      // the last sends may still be on their way to the simulated phones
      await Promise.all(
        recipients.map((contact) =>
          account.waitForMessage((message) => message.to === `${contact.pn}@s.whatsapp.net`),
        ),
      );
      for (const contact of recipients) {
        expect(received(contact.pn, before).map((message) => message.text)).toHaveLength(1);
      }
      // the webhook saw the same story: paused (offline), running again, completed
      const states = async () =>
        receiver.received
          .filter((webhook) => webhook.body.type === 'CampaignProgress')
          .map(
            (webhook) =>
              webhook.body.event as {
                CampaignID: string;
                State: string;
                PauseReason: string | null;
              },
          )
          .filter((event) => event.CampaignID === campaignId)
          .map((event) => `${event.State}${event.PauseReason ? `:${event.PauseReason}` : ''}`);
      await receiver.next(
        (webhook) =>
          webhook.body.type === 'CampaignProgress' &&
          (webhook.body.event as { State: string }).State === 'completed',
        30_000,
      );
      expect(await states()).toEqual(['paused:session_offline', 'running', 'completed']);
    } finally {
      socket.close();
      await receiver.stop();
    }
  }, 90_000);

  it('holds the sends in quiet hours and says until when', async () => {
    const { now, quietHours } = quietAroundNow();
    const before = account.received().length;
    // registered first: the hold is reported as soon as the campaign starts
    const held = nextEmitted<CampaignProgressEvent>(
      gateway.app.get(EventEmitter2),
      CampaignEvents.Progress,
      (event) => event.nextSendAt !== null,
      20_000,
    );
    const campaignId = await createHeld('quiet', linked.contacts[60].pn, quietHours);
    const holding = await held;
    expect(holding.campaignId).toBe(campaignId);
    const until = holding.nextSendAt as Date;
    expect(hhmm(until)).toBe(quietHours.end);
    expect(until.getTime()).toBeGreaterThan(now.getTime());
    expect(until.getTime()).toBeLessThanOrEqual(now.getTime() + 3_660_000);
    const view = await campaign(campaignId);
    expect(view).toMatchObject({ state: 'running', nextSendAt: until.toISOString() });
    expect(view.counts.pending).toBe(1);
    expect(account.received().length).toBe(before);
    const cancelled = await gateway.post(`/sessions/${SESSION}/campaigns/${campaignId}/cancel`);
    expect((await json<CampaignView>(cancelled)).data).toMatchObject({
      state: 'cancelled',
      nextSendAt: null,
    });
  });

  it('goes on when the news that its session left arrives after the session is back', async () => {
    // held by quiet hours: running, with nothing sent meanwhile
    const { quietHours } = quietAroundNow();
    const campaignId = await createHeld('late news', linked.contacts[61].pn, quietHours);
    expect((await campaign(campaignId)).state).toBe('running');
    // the session is connected; its "left connected" event is handled only now, after the
    // Connected event of its return looked for campaigns to resume and found none
    await gateway.app.get(CampaignRunner).onStateChanged({
      sessionId: SESSION,
      state: 'connecting',
      previousState: 'connected',
      reason: null,
      at: new Date(),
    });
    expect(await campaign(campaignId)).toMatchObject({ state: 'running', pauseReason: null });
    const cancelled = await gateway.post(`/sessions/${SESSION}/campaigns/${campaignId}/cancel`);
    expect((await json<CampaignView>(cancelled)).data.state).toBe('cancelled');
  });

  it('reads recipients from an XLSX upload and exports the report as XLSX', async () => {
    const contact = linked.contacts[70];
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('list');
    sheet.addRow(['Nomor', 'Nama', 'Kota']);
    sheet.addRow([`+${contact.pn}`, 'Sari', 'Bandung']);
    const form = new FormData();
    form.append('name', 'from xlsx');
    form.append('message', 'Halo {{nama|kak}} dari {{kota}}');
    form.append('pacing', JSON.stringify(NO_PACING));
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    form.append('file', new Blob([xlsx]), 'list.xlsx');
    const response = await gateway.request(`/sessions/${SESSION}/campaigns`, {
      method: 'POST',
      body: form,
    });
    const created = await json<CampaignView>(response);
    expect([response.status, created.errors]).toEqual([201, undefined]);
    await completion(created.data.id);
    // `name` is the built-in variable, `nama` an ordinary column here: both are filled
    const message = await account.waitForMessage(
      (candidate) =>
        candidate.to === `${contact.pn}@s.whatsapp.net` &&
        candidate.text?.startsWith('Halo ') === true,
    );
    expect(message.text).toBe('Halo Sari dari Bandung');
    const report = await gateway.request(
      `/sessions/${SESSION}/campaigns/${created.data.id}/recipients?format=xlsx`,
    );
    expect(report.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await report.arrayBuffer());
    const rows: string[][] = [];
    book.worksheets[0].eachRow((row) => rows.push((row.values as string[]).slice(1)));
    expect(rows[0]).toEqual([
      'address',
      'jid',
      'name',
      'state',
      'reason',
      'messageId',
      'queuedAt',
      'updatedAt',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[1].slice(0, 3)).toEqual([contact.pn, `${contact.pn}@s.whatsapp.net`, 'Sari']);
  });

  it('settles at boot a send whose receipt was stored but not its message (killed in between): not sent again', async () => {
    const contact = linked.contacts[80];
    const response = await create({
      name: 'killed after its receipt',
      message: 'only once',
      recipients: [{ to: contact.pn }],
      pacing: NO_PACING,
    });
    const campaignId = (await json<CampaignView>(response)).data.id;
    await completion(campaignId);
    const [recipient] = (
      await json<{ messageId: string; state: string }[]>(
        await gateway.request(`/sessions/${SESSION}/campaigns/${campaignId}/recipients`),
      )
    ).data;
    const receipt = nextEmitted<StatusStoredEvent>(
      gateway.app.get(EventEmitter2),
      StoredMessageEvents.Status,
      // a receipt (a server ack also moves the message, and stores nothing of its own)
      (event) =>
        event.update.messageId === recipient.messageId &&
        ['delivered', 'read'].includes(event.update.status),
      15_000,
    );
    const receipts = () =>
      gateway.app
        .get(DataSource)
        .getRepository(MessageStatusEntity)
        .countBy({ messageId: recipient.messageId });
    if ((await receipts()) === 0) {
      await receipt;
    }
    receipt.catch(() => undefined);
    await gateway.close();
    // what a SIGKILL after the receipt's commit and before the message's leaves behind
    const dataSource = await openDataSource(dataSourceOptions(db.config));
    try {
      await dataSource
        .getRepository(MessageEntity)
        .delete({ sessionId: SESSION, messageId: recipient.messageId });
      await dataSource.getRepository(QueuedSendEntity).insert({
        messageId: recipient.messageId,
        sessionId: SESSION,
        chatJid: `${contact.pn}@s.whatsapp.net`,
        payload: JSON.stringify({ type: 'text', content: { kind: 'text', text: 'only once' } }),
        enqueuedAt: new Date(),
        deadlineAt: new Date(Date.now() + 60_000),
      });
      await dataSource
        .getRepository(CampaignRecipientEntity)
        .update({ messageId: recipient.messageId }, { state: 'queued' });
    } finally {
      await dataSource.destroy();
    }

    gateway = await startGateway(sim, ENV, db);
    await sessionConnected(gateway, SESSION);
    // settled at boot: the job is gone (never to be sent), the recipient took its receipt
    expect(await gateway.app.get(DataSource).getRepository(QueuedSendEntity).count()).toBe(0);
    const after = (
      await json<{ messageId: string; state: string }[]>(
        await gateway.request(`/sessions/${SESSION}/campaigns/${campaignId}/recipients`),
      )
    ).data;
    expect(after[0].messageId).toBe(recipient.messageId);
    expect(['delivered', 'read']).toContain(after[0].state);
    expect(account.received().filter((message) => message.id === recipient.messageId)).toHaveLength(
      1,
    );
  });

  // last: it removes the session
  it('deletes the campaigns, their recipients and the opt-outs of a session removed with purge', async () => {
    const repository = <T extends object>(entity: new () => T) =>
      gateway.app.get(DataSource).getRepository(entity);
    expect(await repository(CampaignEntity).countBy({ sessionId: SESSION })).toBeGreaterThan(0);
    const removed = await gateway.request(`/sessions/${SESSION}?purge=true`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(await repository(CampaignEntity).countBy({ sessionId: SESSION })).toBe(0);
    expect(await repository(CampaignRecipientEntity).count()).toBe(0);
    expect(await repository(OptOutEntity).countBy({ sessionId: SESSION })).toBe(0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
