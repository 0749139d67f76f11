import { DisconnectReason, proto, type WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import type { SimAccount } from '../account-handle';
import type { WaSimulator } from '../simulator';
import { textOf, TestClient, type TestClientOptions } from '../testing/baileys-client';
import { linkClient, type LinkedClient } from '../testing/link-client';
import { useSimulator, type SimFixture } from '../testing/sim-fixture';

/**
 * What an application stores from `messages.upsert`: one row per message id with content (a
 * CIPHERTEXT stub, Baileys' upsert of a message it could not decrypt, is not a message).
 */
class MessageStore {
  readonly texts = new Map<string, string>();
  /** Every upsert, stubs and duplicates included, per client. */
  readonly upserts: Array<{ client: TestClient; message: WAMessage; type: string }> = [];
  private waiters: Array<() => void> = [];

  /** Stores what `client` upserts until the returned function is called (the process dies). */
  listen(client: TestClient): () => void {
    const listener = ({ messages, type }: { messages: WAMessage[]; type: string }): void => {
      for (const message of messages) {
        this.upserts.push({ client, message, type });
        const text = textOf(message);
        if (message.key.id && text !== undefined && !message.key.fromMe) {
          this.texts.set(message.key.id, text);
        }
      }
      this.waiters.forEach((wake) => wake());
    };
    client.sock.ev.on('messages.upsert', listener);
    return () => client.sock.ev.off('messages.upsert', listener);
  }

  /** Resolves once every id is stored. */
  async waitFor(ids: string[], timeoutMs = 20_000): Promise<void> {
    const done = () => ids.every((id) => this.texts.has(id));
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        const missing = ids.filter((id) => !this.texts.has(id));
        throw new Error(
          `${missing.length} of ${ids.length} messages never stored: ${missing.join(', ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  upsertsOf(client: TestClient, id: string): Array<{ message: WAMessage; type: string }> {
    return this.upserts.filter((u) => u.client === client && u.message.key.id === id);
  }
}

/** Resolves once the simulator has seen a receipt (acknowledgement) from the client for every id. */
function receiptsFor(sim: WaSimulator, phone: string, ids: string[]): Promise<void> {
  const waiting = new Set(ids);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no receipt for ${[...waiting].join(', ')}`)),
      20_000,
    );
    const stop = sim.on('client-receipt', (event) => {
      if (event.phone !== phone || event.type === 'retry') {
        return;
      }
      event.ids.forEach((id) => waiting.delete(id));
      if (waiting.size === 0) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

/** Polls (every 20 ms, 5 s at most) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition never met');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sendTexts(
  account: SimAccount,
  from: string[],
  label: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await account.sendText(from[i % from.length], `${label} ${i}`)).id);
  }
  return ids;
}

function session(fixture: SimFixture, options: TestClientOptions = {}) {
  const clientOptions = { syncHistory: false, ...options };
  return {
    link: async (): Promise<LinkedClient> => {
      const linked = await linkClient(fixture.sim, { contacts: 2, groups: 0 }, clientOptions);
      fixture.track(linked.client);
      // the phone's peer messages of the first login (app-state keys…) are acknowledged
      const device = () => fixture.sim.account(linked.linked.phone).devices[0];
      await until(() => device().unacked === 0);
      return linked;
    },
    /** Another process logs in with the same stored credentials. */
    takeOver: ({ auth }: LinkedClient): TestClient =>
      fixture.track(TestClient.connect(fixture.sim.wsUrl, auth, clientOptions)),
  };
}

describe('WhatsApp Web simulator: at-least-once delivery of messages to the client', () => {
  const fixture = useSimulator();
  const { link, takeOver } = session(fixture);

  it('messages in flight when the client process is killed, and sent while it is down, arrive at the next login: none lost', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const senders = contacts.map((contact) => contact.pn);
    const store = new MessageStore();
    const dies = store.listen(first.client);

    const before = await sendTexts(account, senders, 'before', 2);
    const acked = receiptsFor(sim, phone, before);
    await store.waitFor(before);
    await acked;
    expect(account.devices[0]).toMatchObject({ unacked: 0, queued: 0 });

    // the process stops reading: what the simulator sends now is on the wire, never handled
    first.client.freeze();
    const inFlight = await sendTexts(account, senders, 'in flight', 5);
    expect(account.devices[0].unacked).toBe(5);

    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    const closed = sim.waitFor('closed', (event) => event.phone === phone);
    dies();
    first.client.kill(); // SIGKILL: TCP gone, no close frame
    expect((await closed).reason).toBe('client');
    expect((await requeued).ids).toEqual(inFlight);

    const whileDown = await sendTexts(account, senders, 'while down', 5);
    expect(account.devices[0]).toMatchObject({ online: false, unacked: 0, queued: 10 });

    const sent = [...before, ...inFlight, ...whileDown];
    const allAcked = receiptsFor(sim, phone, [...inFlight, ...whileDown]);
    const second = takeOver(first);
    store.listen(second);
    await second.waitForOpen();
    await store.waitFor(sent);
    await allAcked;

    expect([...store.texts.keys()].sort()).toEqual([...sent].sort());
    expect(inFlight.map((id) => store.texts.get(id))).toEqual(
      inFlight.map((_, i) => `in flight ${i}`),
    );
    // they were delivered again, at the login (offline), not handled by the killed process
    for (const id of [...inFlight, ...whileDown]) {
      expect(store.upsertsOf(first.client, id)).toEqual([]);
      expect(store.upsertsOf(second, id).map((u) => u.type)).toEqual(['append']);
    }
    expect(account.devices[0]).toMatchObject({ online: true, unacked: 0, queued: 0 });
  });

  it('a message the killed process had already handled, whose receipt never left, is delivered again: Baileys nacks the duplicate (487) and emits nothing', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const store = new MessageStore();
    const dies = store.listen(first.client);

    // the client handles what arrives, but its receipts never reach the server
    first.client.muteWrites();
    const handled = await sendTexts(account, [contacts[0].pn, contacts[1].pn], 'handled', 3);
    await store.waitFor(handled); // decrypted (Signal state saved) and emitted by the first process
    expect(account.devices[0].unacked).toBe(3);

    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    dies();
    first.client.kill();
    expect((await requeued).ids).toEqual(handled);

    const nacks = handled.map((id) =>
      sim.waitFor('ack', (event) => event.id === id && event.class === 'message'),
    );
    const redelivered = new MessageStore();
    const second = takeOver(first);
    redelivered.listen(second);
    await second.waitForOpen();
    // the Signal ratchet moved on when the first process decrypted them: the second delivery
    // fails ("Key used already or never filled"), Baileys takes it for a duplicate and nacks it
    // with 487 (ParsingError), no retry receipt, no upsert. Only the first process's copy exists.
    expect((await Promise.all(nacks)).map((ack) => ack.error)).toEqual(['487', '487', '487']);
    for (const id of handled) {
      expect(redelivered.upsertsOf(second, id)).toEqual([]);
    }
    expect(account.devices[0]).toMatchObject({ unacked: 0, queued: 0 });
  });

  it('known gap: Baileys sends its receipt before messages.upsert, so a process killed before the application stored the message loses it', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const receipted = new Set<string>();
    const stopReceipts = sim.on('client-receipt', (event) => {
      event.ids.forEach((id) => receipted.add(id));
    });
    // the application stores what messages.upsert brings after an await (a database write);
    // the process is killed as the event arrives, before that write
    const text = 'acked, never stored';
    const isIt = (messages: WAMessage[]) => messages.some((m) => textOf(m) === text);
    const killedInHandler = first.client.waitForEvent('messages.upsert', ({ messages }) =>
      isIt(messages),
    );
    first.client.sock.ev.on('messages.upsert', ({ messages }) => {
      if (!isIt(messages)) {
        return;
      }
      first.client.kill();
    });
    const { id } = await account.sendText(contacts[0].pn, text);
    await killedInHandler;
    const closed = sim.waitFor('closed', (event) => event.phone === phone);
    await closed;

    // the receipt had left before the handler ran: the server counts the message as delivered
    expect(receipted.has(id)).toBe(true);
    expect(account.devices[0]).toMatchObject({ unacked: 0, queued: 0 });
    const store = new MessageStore();
    const second = takeOver(first);
    store.listen(second);
    await second.waitForOpen();
    await account.waitForReady();
    const { id: next } = await account.sendText(contacts[0].pn, 'next');
    await store.waitFor([next]);
    expect(store.texts.has(id)).toBe(false); // lost: never delivered again
    stopReceipts();
  });

  it('closed by the patched hook: with beforeMessageReceipt the receipt waits for the application, so a process killed before its write gets the message again', async () => {
    const { sim } = fixture;
    const stored = new Map<string, string>();
    const text = 'stored before the receipt';
    let process = 'first';
    const store = (name: string) => async (message: WAMessage) => {
      if (name !== process) {
        return new Promise<void>(() => undefined); // a killed process never resumes
      }
      if (name === 'first' && textOf(message) === text) {
        process = 'killed';
        first.client.kill(); // killed during the database write
        return new Promise<void>(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 5)); // the database write
      stored.set(message.key.id!, textOf(message) ?? '');
    };
    const first = await linkClient(
      sim,
      { contacts: 2, groups: 0 },
      { syncHistory: false, config: { beforeMessageReceipt: store('first') } },
    );
    fixture.track(first.client);
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const before = await account.sendText(contacts[1].pn, 'before');
    await until(() => stored.has(before.id));

    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    const { id } = await account.sendText(contacts[0].pn, text);
    // not acknowledged: no receipt before the hook resolved; the Signal state not committed
    expect((await requeued).ids).toEqual([id]);
    expect(stored.has(id)).toBe(false);

    process = 'second';
    const second = fixture.track(
      TestClient.connect(sim.wsUrl, first.auth, {
        syncHistory: false,
        config: { beforeMessageReceipt: store('second') },
      }),
    );
    await second.waitForOpen();
    await until(() => stored.has(id));
    expect(stored.get(id)).toBe(text);
    await until(() => account.devices[0].unacked === 0);
    expect(account.devices[0]).toMatchObject({ online: true, queued: 0 });
  });

  it('a throwing beforeMessageReceipt hook (the store failed): no receipt, the connection is closed, and the message comes again at the next login', async () => {
    const { sim } = fixture;
    const text = 'not stored the first time';
    let failures = 0;
    const stored = new Map<string, number>();
    const hook = async (message: WAMessage): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // the database write
      if (textOf(message) === text && failures === 0) {
        failures += 1;
        throw new Error('database down');
      }
      stored.set(message.key.id!, (stored.get(message.key.id!) ?? 0) + 1);
    };
    const options = { syncHistory: false, config: { beforeMessageReceipt: hook } };
    const first = await linkClient(sim, { contacts: 2, groups: 0 }, options);
    fixture.track(first.client);
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const receipted = new Set<string>();
    const stopReceipts = sim.on('client-receipt', (event) => {
      event.ids.forEach((id) => receipted.add(id));
    });
    const closed = first.client.waitForClose();
    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    const { id } = await account.sendText(contacts[0].pn, text);
    expect(await closed).toBe(DisconnectReason.connectionClosed);
    expect((await requeued).ids).toContain(id);
    expect(receipted.has(id)).toBe(false);

    const second = fixture.track(TestClient.connect(sim.wsUrl, first.auth, options));
    await second.waitForOpen();
    await until(() => stored.has(id));
    await until(() => receipted.has(id));
    stopReceipts();
    expect(failures).toBe(1);
    expect(stored.get(id)).toBe(1);
  });

  it('a client that lost its Signal session with a contact gets the message through retry receipts: the contact sends it again over a new session', async () => {
    const { sim } = fixture;
    const { client, auth, linked } = await link();
    const account = sim.account(linked.phone);
    const contact = linked.contacts[0];
    const store = new MessageStore();
    store.listen(client);
    const { id: hello } = await account.sendText(contact.pn, 'hello');
    await store.waitFor([hello]);

    // libsignal logs to the console when the contact replaces its session
    const quiet = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    // the key store loses the session (say, restored from an older copy)
    const repository = client.sock.signalRepository;
    for (const jid of [contact.jid, contact.lid]) {
      await auth.keys.set({ session: { [repository.jidToSignalProtocolAddress(jid)]: null } });
    }
    const retries: number[] = [];
    const stop = sim.on('resent', (event) => retries.push(event.count));
    const receipted = new Set<string>();
    const stopReceipts = sim.on('client-receipt', (event) => {
      if (event.type !== 'retry') {
        event.ids.forEach((acked) => receipted.add(acked));
      }
    });
    const { id } = await account.sendText(contact.pn, 'after the loss');
    await store.waitFor([id]);
    await until(() => receipted.has(id));
    stop();
    stopReceipts();
    quiet.mockRestore();
    // retry 1 without keys fails again (no session); retry 2 carries a prekey bundle
    expect(retries).toEqual([1, 2]);
    expect(store.texts.get(id)).toBe('after the loss');
    expect(store.upsertsOf(client, id).map((u) => u.message.messageStubType ?? null)).toContain(
      proto.WebMessageInfo.StubType.CIPHERTEXT,
    );
    expect(account.devices[0]).toMatchObject({ unacked: 0, queued: 0 });
  });

  it('a continuous stream across a kill: every message sent is stored once the session is back', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const store = new MessageStore();
    const dies = store.listen(first.client);
    const sent: string[] = [];
    let opened: Promise<unknown> | undefined;
    for (let i = 0; i < 30; i++) {
      sent.push((await account.sendText(contacts[i % 2].pn, `stream ${i}`)).id);
      if (i === 10) {
        dies();
        first.client.kill();
      }
      if (i === 20) {
        const second = takeOver(first);
        opened = second.waitForOpen();
        store.listen(second);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await opened;
    await store.waitFor(sent);
    expect(store.texts.size).toBe(sent.length);
    expect([...store.texts.keys()].sort()).toEqual([...sent].sort());
    const settled = account.devices[0];
    expect(settled.queued).toBe(0);
  });

  it('a stopped process (SIGSTOP) taken over by another: the new login gets what the stopped one never acknowledged', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const store = new MessageStore();
    store.listen(first.client);
    first.client.freeze();
    const pending = await sendTexts(account, [contacts[0].pn], 'to the stopped one', 3);

    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    const second = takeOver(first);
    store.listen(second);
    await second.waitForOpen();
    expect((await requeued).ids).toEqual(pending);
    await store.waitFor(pending);
    for (const id of pending) {
      expect(store.upsertsOf(first.client, id)).toEqual([]);
    }
  });
});

describe('WhatsApp Web simulator: a silent connection is cut and its messages delivered again', () => {
  const fixture = useSimulator({ idleTimeoutMs: 1_500 });
  // a live client pings often enough never to look idle
  const { link, takeOver } = session(fixture, { config: { keepAliveIntervalMs: 300 } });

  it('no reads for idleTimeoutMs: the connection is cut (idle) and its unacknowledged messages wait for the next login', async () => {
    const { sim } = fixture;
    const first = await link();
    const { phone, contacts } = first.linked;
    const account = sim.account(phone);
    const closed = sim.waitFor('closed', (event) => event.phone === phone);
    const requeued = sim.waitFor('requeued', (event) => event.phone === phone);
    first.client.freeze();
    const pending = await sendTexts(account, [contacts[1].pn], 'unread', 2);
    expect((await closed).reason).toBe('idle');
    expect((await requeued).ids).toEqual(pending);
    expect(account.devices[0]).toMatchObject({ online: false, queued: 2 });

    const store = new MessageStore();
    const second = takeOver(first);
    store.listen(second);
    await second.waitForOpen();
    await store.waitFor(pending);
    expect(store.upsertsOf(second, pending[0]).map((u) => u.type)).toEqual(['append']);
  });
});

describe('WhatsApp Web simulator: beforeMessageReceipt and a send to the author meanwhile', () => {
  // what the simulator's contacts cannot decrypt is logged as a warning
  const warnings: string[] = [];
  const fixture = useSimulator({
    logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
  });

  it('a send to the author waits until the hook resolved and the receive key transaction committed (it cannot ratchet a session that commit then overwrites); the contact decrypts every reply', async () => {
    const { sim } = fixture;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = (): void => undefined;
    const inHook = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const stored = new Set<string>();
    let chat = '';
    const hook = async (message: WAMessage): Promise<void> => {
      if (textOf(message) === 'two') {
        chat = message.key.remoteJid!; // the reply goes where the message came from
        entered();
        await gate; // a slow database write
      }
      stored.add(message.key.id!);
    };
    const { client, linked } = await linkClient(
      sim,
      { contacts: 2, groups: 0 },
      { syncHistory: false, config: { beforeMessageReceipt: hook } },
    );
    fixture.track(client);
    const account = sim.account(linked.phone);
    const contact = linked.contacts[0];
    // the contact opens the Signal session (the client ratchets once), then writes again on the
    // same ratchet: decrypting 'two' only moves the receiving chain of the session
    const { id: one } = await account.sendText(contact.pn, 'one');
    await until(() => stored.has(one));
    await account.sendText(contact.pn, 'two');
    await inHook;

    const decrypted: string[] = [];
    const stop = sim.on('message', (event) => {
      if (event.phone === linked.phone && event.text) {
        decrypted.push(event.text);
      }
    });
    let replied = false;
    const reply = client.sock.sendMessage(chat, { text: 'reply 1' }).then(() => {
      replied = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // keyed like every send, the receive's key-store transaction holds the send back
    expect(replied).toBe(false);
    release();
    await reply;
    await client.sock.sendMessage(chat, { text: 'reply 2' });
    await until(() => decrypted.length === 2);
    stop();
    expect(decrypted).toEqual(['reply 1', 'reply 2']);
    // a receive's commit over the session a send had ratcheted meanwhile would have 'reply 2'
    // reuse the message key of 'reply 1' (not reproduced here with the old keying: the send was
    // not held back, and the contact still decrypted both)
    expect(warnings.filter((line) => line.includes('could not decrypt'))).toEqual([]);
  });
});
