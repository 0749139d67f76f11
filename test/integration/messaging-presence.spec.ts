import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { EventOutbox } from '../../src/whatsapp/events/event-outbox';
import type { GatewayEvent } from '../../src/whatsapp/events/gateway-events';
import { ChatPresenceStore, TYPING_TTL_MS } from '../../src/messaging/chat-presence-store.service';
import { ChatPresenceEntity } from '../../src/messaging/entities/chat-presence.entity';
import { StoredMessageEvents } from '../../src/messaging/messaging-events';
import type { PresenceStoredEvent } from '../../src/messaging/messaging-events';
import { FakeClock } from '../support/fake-clock';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

describe(`typing auto-stop with a fake clock (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let clock: FakeClock;
  let events: EventEmitter2;
  let store: ChatPresenceStore;
  const recorded: GatewayEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    clock = new FakeClock();
    events = new EventEmitter2();
    const outbox = new EventOutbox();
    outbox.register({ write: async (_manager, batch) => void recorded.push(...batch) });
    store = new ChatPresenceStore(dataSource, outbox, events, clock);
  });
  afterAll(async () => {
    store?.onModuleDestroy();
    await dataSource?.destroy();
    await db?.drop();
  });

  const presence = (state: 'composing' | 'paused', participant = 'a@s.whatsapp.net') => ({
    sessionId: 's1',
    chatJid: 'chat@s.whatsapp.net',
    participantJid: participant,
    state,
    at: clock.now(),
  });

  it('a composing with no paused becomes paused, auto_stopped, 10 s later', async () => {
    const stopped = new Promise<PresenceStoredEvent>((resolve) =>
      events.on(StoredMessageEvents.Presence, (event: PresenceStoredEvent) => {
        if (event.autoStopped) {
          resolve(event);
        }
      }),
    );
    expect(await store.save(presence('composing'))).toBe(true);
    const typingAt = clock.now().getTime();
    const repository = dataSource.getRepository(ChatPresenceEntity);
    expect(await repository.findOneByOrFail({ participantJid: 'a@s.whatsapp.net' })).toMatchObject({
      state: 'composing',
      autoStopped: false,
      expiresAt: new Date(typingAt + TYPING_TTL_MS),
    });

    clock.advance(TYPING_TTL_MS - 1);
    expect((await repository.findOneByOrFail({ participantJid: 'a@s.whatsapp.net' })).state).toBe(
      'composing',
    );
    clock.advance(1);
    expect(await stopped).toMatchObject({ autoStopped: true, presence: { state: 'paused' } });
    expect(await repository.findOneByOrFail({ participantJid: 'a@s.whatsapp.net' })).toMatchObject({
      state: 'paused',
      autoStopped: true,
    });
    expect(recorded.map((event) => event.kind)).toEqual(['chat_presence', 'chat_presence']);
  });

  it('a paused in time cancels the auto-stop; a repeated composing moves it and reports nothing', async () => {
    recorded.length = 0;
    await store.save(presence('composing', 'b@s.whatsapp.net'));
    clock.advance(5_000);
    expect(await store.save(presence('composing', 'b@s.whatsapp.net'))).toBe(false);
    clock.advance(6_000); // 11 s after the first, 6 s after the second
    const row = await dataSource
      .getRepository(ChatPresenceEntity)
      .findOneByOrFail({ participantJid: 'b@s.whatsapp.net' });
    expect(row.state).toBe('composing');
    expect(await store.save(presence('paused', 'b@s.whatsapp.net'))).toBe(true);
    clock.advance(10_000);
    expect(await store.settleExpired()).toBe(0);
    const after = await dataSource
      .getRepository(ChatPresenceEntity)
      .findOneByOrFail({ participantJid: 'b@s.whatsapp.net' });
    expect(after).toMatchObject({ state: 'paused', autoStopped: false, expiresAt: null });
    expect(recorded).toHaveLength(2);
  });
});
