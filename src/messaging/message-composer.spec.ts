import type { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-errors';
import type { MessageEntity } from './entities/message.entity';
import { MediaSource } from './media-source.service';
import { MessageComposer } from './message-composer.service';
import type { Recipient, RecipientResolver } from './recipient-resolver.service';

// the smallest valid PNG: 1x1, transparent
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
// an Ogg page header: what a voice note starts with
const OGG = Buffer.concat([Buffer.from('OggS\0\x02', 'binary'), Buffer.alloc(64)]);
// the same with an Opus stream header where file-type looks for it
const OPUS = Buffer.concat([OGG.subarray(0, 28), Buffer.from('OpusHead'), Buffer.alloc(32)]);

describe('MessageComposer: media', () => {
  const recipient = { jid: '15550001@s.whatsapp.net' } as Recipient;
  const composer = new MessageComposer(
    {} as Repository<MessageEntity>,
    {} as RecipientResolver,
    new MediaSource(AppConfig.fromEnv({ MEDIA_MAX_BYTES: '1024' })),
  );

  it('sends an image from base64 with the sniffed type and the message as caption', async () => {
    const composed = await composer.compose('s', recipient, {
      to: '15550001',
      type: 'image',
      media: PNG.toString('base64'),
      message: 'a dot',
    });
    expect(composed.type).toBe('image');
    expect(composed.content).toMatchObject({
      kind: 'media',
      mediaType: 'image',
      mimetype: 'image/png',
      caption: 'a dot',
    });
    expect(composed.content.kind === 'media' && composed.content.data.equals(PNG)).toBe(true);
  });

  it('keeps a given mimetype and file name; an upload defaults to a document', async () => {
    const composed = await composer.compose(
      's',
      recipient,
      { to: '15550001', fileName: 'report.bin', mimetype: 'application/x-report' },
      { buffer: Buffer.from('plain bytes'), originalname: 'upload.bin' },
    );
    expect(composed.content).toMatchObject({
      kind: 'media',
      mediaType: 'document',
      mimetype: 'application/x-report',
      fileName: 'report.bin',
    });
  });

  it.each([
    ['an Ogg stream', OGG],
    ['an Opus stream', OPUS],
  ])('sends %s with ptt as an Opus voice note, without a caption', async (_what, audio) => {
    const composed = await composer.compose('s', recipient, {
      to: '15550001',
      type: 'audio',
      media: audio.toString('base64'),
      ptt: true,
      caption: 'ignored',
    });
    expect(composed.content).toMatchObject({
      kind: 'media',
      mediaType: 'audio',
      ptt: true,
      mimetype: 'audio/ogg; codecs=opus',
      caption: undefined,
    });
  });

  it('asks for the mimetype of an image whose type it cannot tell', async () => {
    const failure = await composer
      .compose('s', recipient, {
        to: '15550001',
        type: 'image',
        media: Buffer.from('not an image').toString('base64'),
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect((failure as DomainError).fieldErrors).toEqual([
      { field: 'mimetype', messages: [expect.stringMatching(/could not be detected/)] },
    ]);
  });
});
