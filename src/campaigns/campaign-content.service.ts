import { Injectable } from '@nestjs/common';
import type { ComposedMessage } from '../messaging/message-composer.service';
import { MessageComposer } from '../messaging/message-composer.service';
import type { CampaignMessage } from './entities/campaign.entity';

/**
 * A campaign's message, composed once (media loaded and its type sniffed once, not per
 * recipient), then given each recipient's rendered text or caption.
 */
@Injectable()
export class CampaignContent {
  private readonly cache = new Map<string, Promise<ComposedMessage>>();

  constructor(private readonly composer: MessageComposer) {}

  /** Composes the message as the send route would: a bad one is the same 400. */
  compose(sessionId: string, message: CampaignMessage): Promise<ComposedMessage> {
    return this.composer.compose(
      sessionId,
      { jid: '', phone: null },
      { to: '', ...message, message: message.message ?? undefined },
    );
  }

  /** The composed message of a campaign, from the cache after the first time. */
  forCampaign(
    campaignId: string,
    sessionId: string,
    message: CampaignMessage,
  ): Promise<ComposedMessage> {
    let composed = this.cache.get(campaignId);
    if (!composed) {
      composed = this.compose(sessionId, message);
      this.cache.set(campaignId, composed);
      composed.catch(() => this.cache.delete(campaignId));
    }
    return composed;
  }

  forget(campaignId: string): void {
    this.cache.delete(campaignId);
  }

  /** The template of a message: its text, or its caption. */
  static templateOf(message: CampaignMessage): string {
    return message.type === 'text'
      ? (message.message ?? '')
      : (message.caption ?? message.message ?? '');
  }

  /** The composed message with a recipient's text (or caption) in place of the template. */
  static personalized(composed: ComposedMessage, text: string): ComposedMessage {
    const { content } = composed;
    if (content.kind === 'text') {
      return { ...composed, content: { ...content, text } };
    }
    if (content.kind === 'media' && content.mediaType !== 'audio') {
      return { ...composed, content: { ...content, caption: text || undefined } };
    }
    return composed;
  }
}
