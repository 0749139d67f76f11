// Scale figures for the WhatsApp Web simulator (test/wa-sim): run with `npx tsx bench/wa-sim-scale.ts`.
//   1. one account with 20,000 contacts and 500 groups of 50 participants: link, history sync,
//      group query, onWhatsApp, a message;
//   2. 100 accounts linked and connected at once, each sending and receiving a message.
// Options: --contacts N --groups N --participants N --accounts N
// Everything (simulator and every Baileys client) shares this one process and its event loop: the
// 100-account figure is dominated by the clients' own work (812 prekeys each, Signal sessions).
import '../test/wa-sim/tsx-esm-resolve';
import { parseArgs } from 'node:util';
import { installTrustRoot, WaSimulator } from '../test/wa-sim/index';
import { textOf } from '../test/wa-sim/testing/baileys-client';
import { linkClient, type LinkedClient } from '../test/wa-sim/testing/link-client';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '20000' },
    groups: { type: 'string', default: '500' },
    participants: { type: 'string', default: '50' },
    accounts: { type: 'string', default: '100' },
  },
});

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label.padEnd(58)} ${(performance.now() - started).toFixed(0).padStart(7)} ms`);
  return result;
}

async function bigAccount(sim: WaSimulator): Promise<void> {
  const contacts = Number(values.contacts);
  const groups = Number(values.groups);
  const participants = Number(values.participants);
  console.log(
    `\n# one account: ${contacts} contacts, ${groups} groups × ${participants} participants`,
  );
  const session: LinkedClient = await timed('link (QR, scan, 515, login, history sync sent)', () =>
    linkClient(
      sim,
      { contacts, groups, participantsPerGroup: participants },
      { timeoutMs: 120_000 },
    ),
  );
  const { client, linked } = session;
  try {
    const history = await timed('client has the history sync (messaging-history.set)', () =>
      client.waitForEvent(
        'messaging-history.set',
        (set) => set.contacts.length >= contacts,
        120_000,
      ),
    );
    console.log(`  contacts in messaging-history.set: ${history.contacts.length}`);
    const all = await timed('groupFetchAllParticipating', () =>
      client.sock.groupFetchAllParticipating(),
    );
    const memberships = Object.values(all).reduce(
      (sum, group) => sum + group.participants.length,
      0,
    );
    console.log(`  ${Object.keys(all).length} groups, ${memberships} participants`);
    const numbers = linked.contacts.slice(0, 500).map((contact) => contact.pn);
    const found = await timed(`onWhatsApp(${numbers.length} numbers)`, () =>
      client.sock.onWhatsApp(...numbers),
    );
    console.log(`  ${found?.length ?? 0} on WhatsApp`);
    const to = linked.contacts[contacts - 1] ?? linked.contacts[0];
    await timed('send a text to the last contact, simulator decrypts it', async () => {
      const sent = await client.sock.sendMessage(to.jid, { text: 'scale' });
      await sim.account(linked.phone).waitForMessage((message) => message.id === sent?.key.id);
    });
    await timed('send a text to a 50-member group, simulator decrypts it', async () => {
      const sent = await client.sock.sendMessage(linked.groups[0].id, { text: 'scale group' });
      await sim
        .account(linked.phone)
        .waitForMessage((message) => message.id === sent?.key.id, 60_000);
    });
  } finally {
    client.end();
  }
}

async function manyAccounts(sim: WaSimulator): Promise<void> {
  const count = Number(values.accounts);
  console.log(`\n# ${count} accounts at once (5 contacts, 2 groups each, no history processing)`);
  const sessions = await timed(`link ${count} clients concurrently`, () =>
    Promise.all(
      Array.from({ length: count }, () =>
        linkClient(
          sim,
          { historySync: false },
          { syncHistory: false, timeoutMs: 300_000, config: { connectTimeoutMs: 300_000 } },
        ),
      ),
    ),
  );
  try {
    console.log(
      `  connected accounts: ${sim.accounts().filter((account) => account.connected).length}`,
    );
    await timed(`each of the ${count} clients sends a text`, () =>
      Promise.all(
        sessions.map(async ({ client, linked }) => {
          const sent = await client.sock.sendMessage(linked.contacts[0].jid, { text: 'hi' });
          await sim
            .account(linked.phone)
            .waitForMessage((message) => message.id === sent?.key.id, 60_000);
        }),
      ),
    );
    await timed(`each of the ${count} clients receives a text`, () =>
      Promise.all(
        sessions.map(async ({ client, linked }) => {
          const upsert = client.waitForEvent(
            'messages.upsert',
            ({ messages }) => messages.some((message) => textOf(message) === 'ping'),
            60_000,
          );
          await sim.account(linked.phone).sendText(linked.contacts[1].pn, 'ping');
          await upsert;
        }),
      ),
    );
  } finally {
    sessions.forEach(({ client }) => client.end());
  }
}

async function main(): Promise<void> {
  const sim = await WaSimulator.start();
  installTrustRoot(sim.rootPublicKey);
  try {
    await bigAccount(sim);
    await manyAccounts(sim);
    const usage = process.memoryUsage();
    console.log(`\nmemory: rss ${mib(usage.rss)}, heap used ${mib(usage.heapUsed)}`);
    console.log(`unhandled IQs: ${JSON.stringify(sim.unhandledIqs)}`);
  } finally {
    await sim.stop();
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
