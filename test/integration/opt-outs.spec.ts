import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { CampaignEvents, type OptedOutEvent } from '../../src/campaigns/campaign-events';
import { OptOutEntity } from '../../src/campaigns/entities/opt-out.entity';
import { OptOutsService } from '../../src/campaigns/opt-outs.service';
import type { AppConfig } from '../../src/config/app-config';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import type { WaMessage } from '../../src/whatsapp/message-events';
import { createTestDatabase, type TestDatabase, testTier } from '../support/test-database';
import { textMessage } from '../support/wa-message';

const SESSION = 'opt-outs-1';

/** An inbound 1:1 text. */
function reply(senderJid: string, senderPhone: string | null, text: string): WaMessage {
  const id = `3EB0${Math.random().toString(16).slice(2, 14).toUpperCase()}`;
  return textMessage(senderJid, text, { id, sessionId: SESSION, senderPhone });
}

/** Stop keywords opt a sender out by number, or by LID when its number is unknown. */
describe(`opt-outs by reply (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let optOuts: OptOutsService;
  const events = new EventEmitter2();
  const emitted: OptedOutEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    const config = {
      defaultCountryCode: '62',
      campaigns: { stopKeywords: ['STOP'] },
    } as unknown as AppConfig;
    optOuts = new OptOutsService(dataSource.getRepository(OptOutEntity), config, events);
    events.on(CampaignEvents.OptedOut, (event: OptedOutEvent) => emitted.push(event));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const stored = async () =>
    (await dataSource.getRepository(OptOutEntity).find({ order: { id: 'ASC' } })).map((row) => [
      row.phone,
      row.source,
    ]);

  it('opts out a number, and a LID whose number is unknown; other texts do nothing', async () => {
    const message = (m: WaMessage) => optOuts.onMessage({ sessionId: SESSION, message: m });
    await message(reply('6281234567890@s.whatsapp.net', '6281234567890', 'stop!'));
    await message(reply('123456789012345:7@lid', null, ' Stop. '));
    await message(reply('987654321098765@lid', null, 'stop the music'));
    expect(await stored()).toEqual([
      ['6281234567890', 'reply'],
      ['123456789012345@lid', 'reply'],
    ]);
    expect(emitted.map((event) => event.phones)).toEqual([
      ['6281234567890'],
      ['123456789012345@lid'],
    ]);
  });

  it('takes a LID off the list as it takes a number', async () => {
    expect(await optOuts.remove(SESSION, '123456789012345@lid')).toEqual({ removed: true });
    expect(await optOuts.remove(SESSION, '+62 812-3456-7890')).toEqual({ removed: true });
    expect(await stored()).toEqual([]);
    await expect(optOuts.remove(SESSION, 'nobody')).rejects.toMatchObject({ status: 400 });
  });
});
