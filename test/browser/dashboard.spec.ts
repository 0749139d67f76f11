import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { SessionEvents, type SessionQrEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { chromiumPath, screenshots } from './chromium';

const SESSION = 'dash-1';
const STEP_TIMEOUT = 20_000;

/**
 * The dashboard in headless Chromium against the real gateway and the simulator: every step a
 * person takes after `npm start`, with a screenshot of each (the folder is printed).
 */
describe('dashboard in a real browser', () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let browser: Browser;
  let page: Page;
  let account: SimAccount;
  let shoot: ReturnType<typeof screenshots>;

  const screenshot = (name: string): Promise<void> => shoot(page, name);
  const openTab = (name: string | RegExp) => page.getByRole('tab', { name }).click();

  beforeAll(async () => {
    shoot = screenshots('dashboard');
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim, { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0' });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('dialog', (dialog) => void dialog.accept());
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  it('serves its files at / without a key and outside the rate limiter', async () => {
    for (const path of ['/', '/app.js', '/app.css', '/ws/socket.io.esm.min.js']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('ratelimit-limit')).toBeNull();
    }
    expect((await fetch(`${gateway.url}/`)).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('shows "Invalid API key" for a wrong key', async () => {
    await page.goto(gateway.url);
    await page.getByLabel('API key').fill('not-the-key-0000000000');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expectText('#login-error', 'Invalid API key');
    await screenshot('wrong-key');
  });

  it('signs in with the key and shows the empty session list', async () => {
    await page.getByLabel('API key').fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.locator('#live[data-state=on]').waitFor();
    expect(await page.locator('#sessions-empty').isVisible()).toBe(true);
    // a marker that a reload would wipe: later steps prove they update live
    await page.evaluate('window.notReloaded = true');
    await screenshot('signed-in');
  });

  it('creates a session and shows its QR code', async () => {
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, SESSION);
    await page.getByLabel('Session id').fill(SESSION);
    await page.getByLabel('Name', { exact: true }).fill('Sales team');
    await page.getByRole('button', { name: 'Create and start' }).click();
    await page.locator('#qr-img[src^="data:image/png;base64,"]').waitFor();
    await expectText('#sv-badge', 'scan QR');
    await expectText('#qr-countdown', /Expires in \d+ s/);
    await screenshot('qr-code');

    const linked = await sim.scan((await qr).qr, { name: 'Ada', contacts: 6, groups: 2 });
    account = sim.account(linked.phone);
    await page.locator('#sv-badge[data-state=connected]').waitFor();
    await page.locator(`[data-session=${SESSION}] .badge[data-state=connected]`).waitFor();
    await expectText('#acc-phone', `+${linked.phone}`);
    expect(await page.evaluate<boolean>('window.notReloaded === true')).toBe(true);
    expect(await page.locator('#qr-box').isHidden()).toBe(true);
    await account.waitForReady();
    await screenshot('connected');
  });

  it('sends a text that arrives at the simulator, its ticks turning to read', async () => {
    const contact = account.contacts[0];
    await openTab('Send');
    await page.getByLabel('To (number or group JID)').fill(contact.pn);
    await page.getByLabel('Message (caption for media)').fill('Hello from the dashboard');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const arrived = await account.waitForMessage((m) => m.text === 'Hello from the dashboard');
    expect(arrived.to).toBe(`${contact.pn}@s.whatsapp.net`);
    await page.locator(`tr[data-message="${arrived.id}"] .ticks[data-status=read]`).waitFor();
    await screenshot('sent-read');
  });

  it('sends an image from the page that the simulator receives byte-equal', async () => {
    const contact = account.contacts[0];
    // a 2×2 PNG
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
      'base64',
    );
    await page.getByLabel('To (number or group JID)').fill(contact.pn);
    await page.locator('#send-type').selectOption('image');
    await page.locator('#send-file').setInputFiles({
      name: 'pixel.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await page.getByLabel('Message (caption for media)').fill('A picture from the dashboard');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const arrived = await account.waitForMessage(
      (m) => m.media?.type === 'image' && m.text === 'A picture from the dashboard',
    );
    expect(arrived.media).toMatchObject({ mimetype: 'image/png' });
    expect(arrived.media?.data?.equals(png)).toBe(true);
    await page.locator(`tr[data-message="${arrived.id}"] .ticks[data-status=read]`).waitFor();
    // the row says what was sent: its type beside the caption
    await page
      .locator(`tr[data-message="${arrived.id}"]`, { hasText: 'A picture from the dashboard' })
      .locator('.pill', { hasText: 'image' })
      .waitFor();
    await screenshot('sent-image');
    await page.locator('#send-type').selectOption('text');
  });

  it('shows an inbound message in the live event log', async () => {
    const contact = account.contacts[1];
    await openTab(/Live events/);
    await account.sendText(contact.pn, 'Hi dashboard, this is Bruno');
    await page
      .locator('#ev-log li[data-event=message_received]', {
        hasText: 'Hi dashboard, this is Bruno',
      })
      .waitFor();
    await page.getByLabel('Filter').fill('message_received');
    expect(await page.locator('#ev-log li:not([data-event=message_received])').count()).toBe(0);
    await page.getByLabel('Filter').fill('');
    await page.getByLabel('Filter').blur();
    await screenshot('events');
  });

  it('grabs contacts with a progress bar and lists the stored contacts', async () => {
    await openTab('Contacts');
    await page.getByRole('button', { name: 'Grab all' }).click();
    await expectText('#grab-result', /2 groups, 6 contacts/);
    await expectText('#grab-numbers', /^\d+ \/ \d+$/);
    await expectText('#c-total', '8 stored');
    expect(await page.locator('#contact-rows tr').count()).toBe(8);
    await page.getByLabel('Contact type').selectOption('group');
    await expectText('#c-total', '2 stored');
    await page.getByLabel('Contact type').selectOption('');
    await page.getByLabel('Search').fill(account.contacts[2].name);
    await expectText('#c-total', '1 stored');
    await page.getByLabel('Search').fill('');
    await expectText('#c-total', '8 stored');
    await page.getByLabel('Search').blur();
    await screenshot('contacts');
  });

  it('sends a webhook test ping, and shows it and a delivered event in the deliveries', async () => {
    await openTab('Webhooks');
    const { server, url, received } = await receiver();
    try {
      await page.getByLabel('Target URL').fill(url);
      await page.getByRole('button', { name: 'Add target' }).click();
      const target = page.locator('.wh-item', { hasText: url });
      await target.waitFor();
      const ping = received();
      await target.getByRole('button', { name: 'Send test ping' }).click();
      expect((await ping).method).toBe('POST');
      await expectText('.wh-item [role="status"]', /Test ping delivered \(HTTP 200/);
      // The ping's attempt is logged with the deliveries, shown after it
      await target
        .locator('tbody tr', { hasText: 'Test' })
        .filter({ hasText: 'delivered' })
        .waitFor();
      // A real event, an inbound message, goes through the outbox and shows there too
      const delivered = received();
      await account.sendText(account.contacts[1].pn, 'A message for the webhook');
      await delivered;
      await target.getByRole('button', { name: 'Deliveries' }).click();
      await target.locator('tbody tr', { hasText: 'Message' }).first().waitFor();
      await target
        .locator('tbody tr', { has: page.getByRole('button', { name: /Replay/ }) })
        .first()
        .waitFor();
      await screenshot('webhooks');
    } finally {
      server.close();
    }
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openTab('Send');
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot('phone');
  });

  async function expectText(selector: string, text: string | RegExp): Promise<void> {
    const locator = page.locator(selector);
    try {
      await locator.filter({ hasText: text }).waitFor({ timeout: STEP_TIMEOUT });
    } catch (error) {
      await screenshot(`failed-${selector.replace(/\W/g, '')}`);
      throw new Error(
        `${selector} never showed ${String(text)}; it shows "${await locator.textContent()}" (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }
});

/** An HTTP endpoint for webhook deliveries; `received()` resolves with the next request. */
async function receiver(): Promise<{
  server: Server;
  url: string;
  received: () => Promise<IncomingMessage>;
}> {
  const waiting: ((request: IncomingMessage) => void)[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200).end('ok');
      waiting.shift()?.(request);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/hook`,
    received: () => new Promise((done) => waiting.push(done)),
  };
}
