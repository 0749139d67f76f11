import { linkClient } from '../testing/link-client';
import { useSimulator } from '../testing/sim-fixture';

const CLIENTS = 20;
// Twenty linkings at once are CPU-bound (key generation, Signal sessions): on 2 shared cores they
// take 15-40 s. The waits are on events; these bounds only catch a hang.
const LINK_TIMEOUT_MS = 120_000;

describe('WhatsApp Web simulator: many accounts at once', () => {
  const fixture = useSimulator();

  it(`links ${CLIENTS} clients concurrently, each to its own account, and talks to each`, async () => {
    const { sim } = fixture;
    const linked = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, index) => {
        const result = await linkClient(
          sim,
          { contacts: 3, groups: 1 },
          { syncHistory: index % 2 === 0, timeoutMs: LINK_TIMEOUT_MS },
        );
        fixture.track(result.client);
        return result;
      }),
    );
    expect(new Set(linked.map(({ linked: info }) => info.phone)).size).toBe(CLIENTS);
    expect(sim.accounts().filter((account) => account.connected)).toHaveLength(CLIENTS);

    await Promise.all(
      linked.map(async ({ client, linked: info }, index) => {
        const text = `message ${index}`;
        const sent = await client.sock.sendMessage(info.contacts[0].jid, { text });
        const received = await sim
          .account(info.phone)
          .waitForMessage((message) => message.id === sent?.key.id, LINK_TIMEOUT_MS);
        expect(received.text).toBe(text);
      }),
    );
    expect(sim.unhandledIqs).toEqual([]);
  }, 240_000);
});
