import { Injectable } from '@nestjs/common';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import type { WaGroup, WaLidMapping } from '../address-book/address-book-events';
import { WaDirectory } from '../address-book/wa-directory';
import { lidOf, phoneOf, toWaGroup } from './address-book-jids';
import { BaileysSocketHub } from './socket-hub';

/** WaDirectory over the session's current Baileys socket. */
@Injectable()
export class BaileysDirectory extends WaDirectory {
  constructor(private readonly hub: BaileysSocketHub) {
    super();
  }

  async fetchGroups(sessionId: string): Promise<WaGroup[]> {
    const groups = await this.socket(sessionId).groupFetchAllParticipating();
    return Object.values(groups).map(toWaGroup);
  }

  async profilePictureUrl(
    sessionId: string,
    jid: string,
    timeoutMs: number,
  ): Promise<string | null> {
    try {
      return (await this.socket(sessionId).profilePictureUrl(jid, 'image', timeoutMs)) ?? null;
    } catch (error) {
      // WhatsApp answers 404 (none) or 401 (hidden by privacy settings): no picture, not a failure.
      // Baileys' IQ errors carry WhatsApp's code in `data` (their HTTP status is always 500)
      const { data, output } = error as { data?: unknown; output?: { statusCode?: number } };
      const status = typeof data === 'number' ? data : output?.statusCode;
      if (status === 404 || status === 401) {
        return null;
      }
      throw error;
    }
  }

  async phoneNumbersForLids(sessionId: string, lids: string[]): Promise<WaLidMapping[]> {
    if (lids.length === 0) {
      return [];
    }
    const found = await this.socket(sessionId).signalRepository.lidMapping.getPNsForLIDs(lids);
    return (found ?? [])
      .map(({ lid, pn }) => ({ lid: lidOf(lid), phoneNumber: phoneOf(pn) }))
      .filter((pair): pair is WaLidMapping => pair.lid !== null && pair.phoneNumber !== null);
  }

  ownJids(sessionId: string): { jid: string | null; lid: string | null } {
    const me = this.hub.socketOf(sessionId)?.user;
    return {
      jid: me?.id ? jidNormalizedUser(me.id) : null,
      lid: me?.lid ? jidNormalizedUser(me.lid) : null,
    };
  }

  private socket(sessionId: string) {
    const socket = this.hub.socketOf(sessionId);
    if (!socket) {
      throw new Error(`session ${sessionId} has no socket in this process`);
    }
    return socket;
  }
}
