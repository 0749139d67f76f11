import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { json, linkSession } from '../support/contacts';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { chromiumPath, screenshots } from './chromium';

const SESSION = 'blast-ui';
const STEP_TIMEOUT = 20_000;

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
    await page.locator('#cp-new summary').click();
    await page.locator('#cp-new[open]').waitFor();
    await page.getByLabel('Campaign name').fill('Paced');
    await page.getByLabel('Message', { exact: true }).fill('Paced hello {{name|friend}}');
    await page.getByLabel('Min interval (s)').fill('1');
    await page.getByLabel('Max interval (s)').fill('1');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const item = campaignItem('Paced');
    await item.locator('.badge[data-state=running]').waitFor();
    const firstSend = await account.waitForMessage((m) => (m.text ?? '').startsWith('Paced hello'));
    expect(firstSend.text).toMatch(/^Paced hello /);

    await item.getByRole('button', { name: 'Pause' }).click();
    await item.locator('.badge[data-state=paused]', { hasText: 'by a user' }).waitFor();
    expect(await item.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await item.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    const id = await item.getAttribute('data-campaign');
    const paused = await json<{ state: string; counts: Record<string, number> }>(
      await gateway.request(`/sessions/${SESSION}/campaigns/${id}`),
    );
    expect(paused.data.state).toBe('paused');
    expect(paused.data.counts.pending).toBeGreaterThan(0);
    await screenshot('paused');

    await item.getByRole('button', { name: 'Resume' }).click();
    await item.locator('.badge[data-state=running], .badge[data-state=completed]').waitFor();
    expect(await item.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);
    await item.locator('.badge[data-state=completed]').waitFor({ timeout: 30_000 });
    await item.locator('.cp-numbers', { hasText: `${phones.length} / ${phones.length}` }).waitFor();
  });

  it('shows the API error for a bad upload, and creates a scheduled campaign from a good one', async () => {
    await page.locator('#cp-new summary').click();
    await page.locator('#cp-new[open]').waitFor();
    await page.getByLabel('Campaign name').fill('Uploaded');
    await page.getByLabel('Message', { exact: true }).fill('Your code is {{voucher}}');
    await page.getByLabel('Upload CSV / XLSX').check();
    await page.locator('#cp-file').setInputFiles({
      name: 'list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,email\nBudi,budi@example.com\n'),
    });
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page
      .locator('#cp-error', { hasText: /Validation failed: the file has no phone column/ })
      .waitFor();
    await screenshot('bad-upload');

    await page.locator('#cp-file').setInputFiles({
      name: 'list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`phone,name,voucher\n${phones[0]},Budi,VIP10\n${phones[1]},Sari,\n`),
    });
    await page.getByLabel('Start at (empty: now)').fill('2099-01-01T09:00');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const item = campaignItem('Uploaded');
    await item.locator('.badge[data-state=scheduled]').waitFor();
    await item.locator('.cp-numbers', { hasText: '0 / 2' }).waitFor();
    expect(await page.locator('#cp-error').textContent()).toBe('');
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.locator('.badge[data-state=cancelled]').waitFor();
    for (const name of ['Pause', 'Resume', 'Cancel']) {
      expect(await item.getByRole('button', { name }).isDisabled()).toBe(true);
    }
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
