import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { CampaignViewDto } from '../../src/campaigns/dto/campaign-view.dto';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { json, linkSession } from '../support/contacts';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { chromiumPath, screenshots } from './chromium';

const SESSION = 'blast-ui';
const STEP_TIMEOUT = 20_000;
/** A number the simulator does not know: checked and skipped, never sent to. */
const NOT_ON_WHATSAPP = '19995550001';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const jidOf = (phone: string): string => `${phone}@s.whatsapp.net`;

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('list').addRows(rows);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The first sheet of an XLSX file as text cells, its header row first. */
async function xlsxRowsOf(path: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const rows: string[][] = [];
  workbook.worksheets[0].eachRow((row) => {
    rows.push(Array.from({ length: row.cellCount }, (_, at) => row.getCell(at + 1).text));
  });
  return rows;
}

/**
 * The dashboard's Campaigns tab in headless Chromium against the real gateway and the simulator:
 * a linked session with stored contacts, campaigns created through the form, progress followed
 * over socket.io, the commands, the report, and what a read-only key is offered.
 */
describe('dashboard campaigns tab in a real browser', () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let browser: Browser;
  let page: Page;
  let account: SimAccount;
  /** The stored individual contacts' numbers, as the grab saved them. */
  let phones: string[];
  let shoot: ReturnType<typeof screenshots>;

  const screenshot = (name: string, on: Page = page): Promise<void> => shoot(on, name);
  const campaignItem = (name: string, on: Page = page): Locator =>
    on.locator('.cp-item', { has: on.locator('.cp-name', { hasText: name }) });

  /**
   * Opens the form (if closed) and fills a campaign: name, message and a fixed interval in
   * seconds, to start now, without a daily cap or quiet hours (the form keeps what the last
   * campaign had).
   */
  async function newCampaign(name: string, message: string, interval = '0'): Promise<void> {
    if ((await page.locator('#cp-new[open]').count()) === 0) {
      await page.locator('#cp-new summary').click();
    }
    await page.locator('#cp-new[open]').waitFor();
    await page.getByLabel('Campaign name').fill(name);
    await page.getByLabel('Message', { exact: true }).fill(message);
    await page.getByLabel('Min interval (s)').fill(interval);
    await page.getByLabel('Max interval (s)').fill(interval);
    for (const label of ['Daily cap', 'Quiet from', 'Quiet until', 'Start at (empty: now)']) {
      await page.getByLabel(label).fill('');
    }
  }

  /** Takes the recipients from an uploaded file of `rows` (a header row first), CSV or XLSX. */
  async function upload(fileName: string, rows: string[][]): Promise<void> {
    await page.getByLabel('Upload CSV / XLSX').check();
    const xlsx = fileName.endsWith('.xlsx');
    await page.locator('#cp-file').setInputFiles({
      name: fileName,
      mimeType: xlsx ? XLSX_TYPE : 'text/csv',
      buffer: xlsx ? await xlsxOf(rows) : Buffer.from(rows.map((row) => row.join(',')).join('\n')),
    });
  }

  /** Submits the form; resolves with the campaign's row once the page confirms it. */
  async function create(name: string, recipients: number): Promise<Locator> {
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page
      .locator('#cp-result', { hasText: `Campaign "${name}" created: ${recipients} recipients` })
      .waitFor();
    return campaignItem(name);
  }

  /** The campaign of a row, as the REST API has it. */
  async function campaignOf(item: Locator): Promise<CampaignViewDto> {
    const id = await item.getAttribute('data-campaign');
    const body = await json<CampaignViewDto>(
      await gateway.request(`/sessions/${SESSION}/campaigns/${id}`),
    );
    return body.data;
  }

  /** What the simulated phone's contacts received whose text starts with `prefix`: [to, text]. */
  const receivedWith = (prefix: string): string[][] =>
    account
      .received()
      .filter((message) => (message.text ?? '').startsWith(prefix))
      .map((message) => [message.to, message.text ?? '']);

  async function signIn(key: string): Promise<Page> {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    tab.setDefaultTimeout(STEP_TIMEOUT);
    tab.on('dialog', (dialog) => void dialog.accept());
    await tab.goto(gateway.url);
    await tab.getByLabel('API key').fill(key);
    await tab.getByRole('button', { name: 'Connect' }).click();
    await tab.locator('#live[data-state=on]').waitFor();
    await tab.locator(`[data-session=${SESSION}][aria-current=true]`).waitFor();
    await tab.getByRole('tab', { name: 'Campaigns' }).click();
    return tab;
  }

  beforeAll(async () => {
    shoot = screenshots('campaigns');
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim, { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0' });
    const linked = await linkSession(gateway, sim, SESSION, {
      name: 'Ada',
      contacts: 5,
      groups: 0,
    });
    account = sim.account(linked.phone);
    await account.waitForReady();
    expect((await gateway.request(`/api/sessions/${SESSION}/grab-all`)).status).toBe(200);
    const stored = await json<{ contacts: { phone_number: string }[] }>(
      await gateway.request(`/api/sessions/${SESSION}/contacts?type=individual&per_page=100`),
    );
    phones = stored.data.contacts.map((contact) => contact.phone_number);
    expect(phones.length).toBeGreaterThanOrEqual(5);
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await signIn(gateway.apiKey);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  it('creates a campaign from the stored contacts and follows it live to completed', async () => {
    await page.evaluate('window.notReloaded = true');
    // no campaign yet: the form is open
    await page.locator('#cp-new[open]').waitFor();
    await page.getByLabel('Campaign name').fill('Welcome');
    await page.getByLabel('Message', { exact: true }).fill('{Hi|Hello} {{name|friend}}, welcome!');
    await page.getByLabel('Recipient type').selectOption('individual');
    await page.getByLabel('Min interval (s)').fill('0');
    await page.getByLabel('Max interval (s)').fill('0');
    const before = account.received().length;
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#cp-result', { hasText: `${phones.length} recipients` }).waitFor();

    const item = campaignItem('Welcome');
    await item.locator('.badge[data-state=completed]').waitFor();
    await item.locator('.cp-numbers', { hasText: `${phones.length} / ${phones.length}` }).waitFor();
    // every stored contact got its text, once
    await account.waitForMessage(() => account.received().length - before >= phones.length);
    const texts = account
      .received()
      .slice(before)
      .map((message) => [message.to, message.text]);
    expect(texts.map(([to]) => to).sort()).toEqual(
      phones.map((phone) => `${phone}@s.whatsapp.net`).sort(),
    );
    for (const [, text] of texts) {
      expect(text).toMatch(/^(Hi|Hello) .+, welcome!$/);
    }
    // the receipts keep arriving after completion: read counts follow live too
    await item
      .locator('[data-count=read] b', { hasText: new RegExp(`^${phones.length}$`) })
      .waitFor();
    expect(await item.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await item.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    expect(await page.evaluate<boolean>('window.notReloaded === true')).toBe(true);
    await screenshot('completed');
  });

  it('lists the recipients by state and downloads the report as CSV', async () => {
    const item = campaignItem('Welcome');
    await item.getByRole('button', { name: 'Recipients' }).click();
    const table = item.getByRole('table', { name: 'Recipients of Welcome' });
    await table
      .locator('tbody tr[data-recipient]')
      .nth(phones.length - 1)
      .waitFor();
    await item.getByLabel('Recipient state of Welcome').selectOption('failed');
    await table.locator('tbody', { hasText: 'No recipients.' }).waitFor();
    await item.getByLabel('Recipient state of Welcome').selectOption('read');
    await table
      .locator('tbody tr[data-recipient]')
      .nth(phones.length - 1)
      .waitFor();

    const downloaded = page.waitForEvent('download');
    await item.getByRole('button', { name: 'Download the report of Welcome as CSV' }).click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toMatch(/^campaign-\d+-report\.csv$/);
    const csv = readFileSync(await file.path(), 'utf8');
    for (const phone of phones) {
      expect(csv).toContain(phone);
    }
    expect(csv.trim().split('\n')).toHaveLength(phones.length + 1);
    await screenshot('recipients');
  });

  it('pauses and resumes a paced campaign, the buttons following its state', async () => {
    await newCampaign('Paced', 'Paced hello {{name|friend}}', '1');
    const item = await create('Paced', phones.length);
    await item.locator('.badge[data-state=running]').waitFor();
    const firstSend = await account.waitForMessage((m) => (m.text ?? '').startsWith('Paced hello'));
    expect(firstSend.text).toMatch(/^Paced hello /);

    await item.getByRole('button', { name: 'Pause' }).click();
    await item.locator('.badge[data-state=paused]', { hasText: 'by a user' }).waitFor();
    expect(await item.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await item.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    const paused = await campaignOf(item);
    expect(paused.state).toBe('paused');
    expect(paused.counts.pending).toBeGreaterThan(0);
    await screenshot('paused');

    await item.getByRole('button', { name: 'Resume' }).click();
    await item.locator('.badge[data-state=running], .badge[data-state=completed]').waitFor();
    expect(await item.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);
    await item.locator('.badge[data-state=completed]').waitFor({ timeout: 30_000 });
    await item.locator('.cp-numbers', { hasText: `${phones.length} / ${phones.length}` }).waitFor();
  });

  it('shows the API error for a bad upload, and creates a scheduled campaign from a good one', async () => {
    await newCampaign('Uploaded', 'Your code is {{voucher}}');
    await upload('list.csv', [
      ['name', 'email'],
      ['Budi', 'budi@example.com'],
    ]);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page
      .locator('#cp-error', { hasText: /Validation failed: the file has no phone column/ })
      .waitFor();
    await screenshot('bad-upload');

    await upload('list.csv', [
      ['phone', 'name', 'voucher'],
      [phones[0], 'Budi', 'VIP10'],
      [phones[1], 'Sari', ''],
    ]);
    await page.getByLabel('Start at (empty: now)').fill('2099-01-01T09:00');
    const item = await create('Uploaded', 2);
    await item.locator('.badge[data-state=scheduled]').waitFor();
    await item.locator('.cp-numbers', { hasText: '0 / 2' }).waitFor();
    expect(await page.locator('#cp-error').textContent()).toBe('');
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.locator('.badge[data-state=cancelled]').waitFor();
    for (const name of ['Pause', 'Resume', 'Cancel']) {
      expect(await item.getByRole('button', { name }).isDisabled()).toBe(true);
    }
  });

  it('sends a campaign from an XLSX upload, each text filled from its row', async () => {
    await newCampaign('Vouchers', 'Voucher for {{name|friend}}: {{voucher}} in {{kota}}');
    await upload('vouchers.xlsx', [
      ['Phone', 'Name', 'Voucher', 'Kota'],
      [phones[2], 'Budi', 'VIP10', 'Bandung'],
      [`+${phones[3]}`, 'Sari', 'GOLD20', 'Medan'],
      [phones[4], '', 'NEW5', 'Depok'],
      [NOT_ON_WHATSAPP, 'Nobody', 'LOST', 'Bogor'],
    ]);
    const item = await create('Vouchers', 4);
    await item.locator('.badge[data-state=completed]').waitFor();
    await item.locator('.cp-numbers', { hasText: '4 / 4' }).waitFor();
    await item.locator('[data-count=skipped] b', { hasText: /^1$/ }).waitFor();
    // each contact got its own row's text, once; the number not on WhatsApp nothing
    const expected = [
      [jidOf(phones[2]), 'Voucher for Budi: VIP10 in Bandung'],
      [jidOf(phones[3]), 'Voucher for Sari: GOLD20 in Medan'],
      [jidOf(phones[4]), 'Voucher for friend: NEW5 in Depok'],
    ];
    await account.waitForMessage(() => receivedWith('Voucher for ').length >= expected.length);
    expect(receivedWith('Voucher for ').sort()).toEqual(expected.sort());
    // the report below expects every sent text read
    await item.locator('[data-count=read] b', { hasText: /^3$/ }).waitFor();
    await screenshot('uploaded-sent');
  });

  it('downloads the report as XLSX, a row per recipient with its state', async () => {
    const downloaded = page.waitForEvent('download');
    await campaignItem('Vouchers')
      .getByRole('button', { name: 'Download the report of Vouchers as XLSX' })
      .click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toMatch(/^campaign-\d+-report\.xlsx$/);
    const [header, ...rows] = await xlsxRowsOf(await file.path());
    expect(header).toEqual(expect.arrayContaining(['address', 'name', 'state', 'reason']));
    const column = (row: string[], name: string): string => row[header.indexOf(name)] ?? '';
    const recipients = rows.map((row) =>
      ['address', 'name', 'state', 'reason'].map((name) => column(row, name)),
    );
    expect(recipients.sort()).toEqual(
      [
        [phones[2], 'Budi', 'read', ''],
        [phones[3], 'Sari', 'read', ''],
        [phones[4], '', 'read', ''],
        [NOT_ON_WHATSAPP, 'Nobody', 'skipped', 'not_on_whatsapp'],
      ].sort(),
    );
  });

  it('cancels a campaign while it sends: shown cancelled, nothing more sent after it', async () => {
    await newCampaign('Stopped', 'Stopped {{name|friend}}', '1');
    await page.getByRole('radio', { name: 'Stored contacts' }).check();
    await page.getByLabel('Recipient type').selectOption('individual');
    const item = await create('Stopped', phones.length);
    await account.waitForMessage((message) => (message.text ?? '').startsWith('Stopped '));
    const sentBeforeCancel = receivedWith('Stopped ').length;
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.locator('.badge[data-state=cancelled]').waitFor();
    for (const name of ['Pause', 'Resume', 'Cancel']) {
      expect(await item.getByRole('button', { name }).isDisabled()).toBe(true);
    }
    await screenshot('cancelled');

    // A witness at the same pacing: its three sends take two intervals after the cancel, in
    // which the cancelled campaign would have sent twice more had it gone on
    await newCampaign('Witness', 'Witness {{name}}', '1');
    await upload('witness.csv', [
      ['phone', 'name'],
      ...phones.slice(0, 3).map((phone, at) => [phone, `W${at}`]),
    ]);
    await (await create('Witness', 3)).locator('.badge[data-state=completed]').waitFor();
    expect(receivedWith('Witness ')).toHaveLength(3);
    const sent = receivedWith('Stopped ').length;
    expect(sent).toBeLessThanOrEqual(sentBeforeCancel + 1);
    expect(sent).toBeLessThan(phones.length);
    const cancelled = await campaignOf(item);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.finishedAt).not.toBeNull();
    expect(cancelled.counts.pending).toBe(phones.length - sent);
    await item
      .locator('[data-count=pending] b', { hasText: new RegExp(`^${phones.length - sent}$`) })
      .waitFor();
  });

  it('sends the daily cap, quiet hours and time zone typed in the form to the API', async () => {
    // quiet from an hour ago until in two hours, Jakarta time: the campaign waits
    const jakarta = (hours: number): string =>
      new Date(Date.now() + hours * 3_600_000).toLocaleTimeString('en-GB', {
        timeZone: 'Asia/Jakarta',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    const quietHours = { start: jakarta(-1), end: jakarta(2) };
    await newCampaign('Quiet', 'Quiet hello {{name|friend}}', '2.5');
    await page.getByLabel('Max interval (s)').fill('4');
    await page.getByLabel('Daily cap').fill('2');
    await page.getByLabel('Quiet from').fill(quietHours.start);
    await page.getByLabel('Quiet until').fill(quietHours.end);
    await page.getByLabel('Time zone').fill('Asia/Jakarta');
    await upload('quiet.csv', [['phone'], [phones[0]], [phones[1]]]);
    const item = await create('Quiet', 2);
    await item.locator('p', { hasText: 'held until' }).waitFor();
    const held = await campaignOf(item);
    expect(held.pacing).toEqual({
      minIntervalMs: 2500,
      maxIntervalMs: 4000,
      dailyCap: 2,
      quietHours,
      timeZone: 'Asia/Jakarta',
    });
    expect(held.state).toBe('running');
    expect(held.nextSendAt).not.toBeNull();
    expect(receivedWith('Quiet hello')).toHaveLength(0);
    await screenshot('quiet-hours');
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.locator('.badge[data-state=cancelled]').waitFor();
  });

  it('offers a read-only key the campaigns and reports, but no create or commands', async () => {
    const created = await json<{ key: string }>(
      await gateway.post('/api-keys', {
        name: 'viewer',
        sessions: [SESSION],
        permissions: ['read'],
      }),
    );
    const viewer = await signIn(created.data.key);
    try {
      await campaignItem('Welcome', viewer).waitFor();
      await campaignItem('Paced', viewer).waitFor();
      expect(await viewer.locator('#cp-readonly').isVisible()).toBe(true);
      expect(await viewer.locator('#cp-new').isHidden()).toBe(true);
      for (const name of ['Pause', 'Resume', 'Cancel']) {
        expect(await viewer.locator('.cp-item').getByRole('button', { name }).count()).toBe(0);
      }
      expect(
        await campaignItem('Welcome', viewer)
          .getByRole('button', { name: 'Download the report of Welcome as XLSX' })
          .isEnabled(),
      ).toBe(true);
      await screenshot('read-only', viewer);
    } finally {
      await viewer.close();
    }
  });

  it('fits a phone-width screen, the form open', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#cp-new summary').click();
    await page.locator('#cp-new[open]').waitFor();
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot('phone');
  });
});
