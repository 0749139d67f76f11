import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { normalizePhoneNumber } from '../common/phone/phone-number';
import { AppConfig } from '../config/app-config';
import { Messenger, NumberLookup } from '../whatsapp/messenger';
import { InvalidRecipient, NotOnWhatsApp } from './messaging-errors';

const LOOKUP_TTL_MS = 6 * 3_600_000;
const LOOKUP_BATCH = 50;

export interface Recipient {
  jid: string;
  /** Digits, when the recipient was given as (or is) a phone number. */
  phone: string | null;
}

/**
 * Turns what a user calls a recipient (CONTRACT §5: phone numbers in any common form, user and
 * group JIDs, LIDs) into a JID. Numbers are checked on WhatsApp once, then cached.
 */
@Injectable()
export class RecipientResolver {
  private readonly lookups = new LRUCache<string, NumberLookup>({
    max: 50_000,
    ttl: LOOKUP_TTL_MS,
  });

  constructor(
    private readonly messenger: Messenger,
    private readonly config: AppConfig,
  ) {}

  /** Digits of a phone number in any accepted form, or null. */
  phoneOf(input: string): string | null {
    return normalizePhoneNumber(input, this.config.defaultCountryCode);
  }

  async resolve(sessionId: string, to: string, field = 'to'): Promise<Recipient> {
    const trimmed = to.trim();
    if (/^[\d-]+@g\.us$/.test(trimmed) || /^\d+@lid$/.test(trimmed)) {
      return { jid: trimmed, phone: null };
    }
    const userJid = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(trimmed);
    const phone = userJid ? userJid[1] : this.phoneOf(trimmed);
    if (!phone) {
      throw new InvalidRecipient(field);
    }
    const [lookup] = await this.check(sessionId, [phone]);
    if (!lookup.exists || !lookup.jid) {
      throw new NotOnWhatsApp(phone);
    }
    return { jid: lookup.jid, phone };
  }

  /** Whether each number (digits) is on WhatsApp; asks WhatsApp only about those not cached. */
  async check(sessionId: string, phones: string[]): Promise<NumberLookup[]> {
    const missing = [
      ...new Set(phones.filter((phone) => !this.lookups.has(`${sessionId}|${phone}`))),
    ];
    for (let start = 0; start < missing.length; start += LOOKUP_BATCH) {
      const batch = missing.slice(start, start + LOOKUP_BATCH);
      for (const result of await this.messenger.lookup(sessionId, batch)) {
        this.lookups.set(`${sessionId}|${result.phone}`, result);
      }
    }
    return phones.map(
      (phone) => this.lookups.get(`${sessionId}|${phone}`) ?? { phone, exists: false, jid: null },
    );
  }
}
