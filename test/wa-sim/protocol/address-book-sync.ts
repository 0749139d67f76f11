import { proto } from '@whiskeysockets/baileys';
import type { Account } from '../model/account';
import type { SimUser } from '../model/sim-user';
import { contactInfo, type ContactInfo } from '../views';
import { nowSeconds } from './binary-nodes';
import type { SimContext } from './context';
import { sendHistoryChunk } from './history-sync';

/** A change to the phone's address book, told to the linked devices as a RECENT history sync. */
export interface AddressBookUpdate {
  /** New contacts (fresh numbers and LIDs) added to the address book, with these names. */
  add?: string[];
  /**
   * Chats known to the phone only by LID: `withMapping` also tells the device the phone number
   * (a PN→LID mapping), otherwise the device learns the LID alone.
   */
  lidOnly?: { name: string; withMapping: boolean }[];
  /** Existing contacts (phone numbers) renamed: their saved name and push name (default: the same) change. */
  rename?: { pn: string; name: string; pushName?: string }[];
}

export interface AddressBookSyncResult {
  added: ContactInfo[];
  lidOnly: ContactInfo[];
}

/** Applies `update` to the account and sends it to every ready linked device. */
export async function sendAddressBookSync(
  sim: SimContext,
  account: Account,
  update: AddressBookUpdate,
): Promise<AddressBookSyncResult> {
  const fresh = (name: string): SimUser => {
    const user = sim.directory.createContact(account.contacts.length);
    user.name = name;
    return user;
  };
  const added = (update.add ?? []).map((name) => {
    const user = fresh(name);
    account.contacts.push(user);
    return user;
  });
  const lidOnly = (update.lidOnly ?? []).map((chat) => ({ user: fresh(chat.name), ...chat }));
  const renamed = (update.rename ?? []).map(({ pn, name, pushName }) => {
    const user = sim.directory.userByPn(pn);
    if (!user) {
      throw new Error(`unknown contact ${pn}`);
    }
    user.name = name;
    return { user, pushName: pushName ?? name };
  });
  const now = nowSeconds();
  const sync: proto.IHistorySync = {
    syncType: proto.HistorySync.HistorySyncType.RECENT,
    chunkOrder: 0,
    progress: 100,
    conversations: [
      ...added.map((user) => ({
        id: user.jid,
        name: user.name,
        displayName: user.name,
        lidJid: user.lidJid,
        conversationTimestamp: now,
      })),
      ...lidOnly.map(({ user, withMapping }) => ({
        id: user.lidJid,
        name: user.name,
        displayName: user.name,
        ...(withMapping ? { pnJid: user.jid } : {}),
        conversationTimestamp: now,
      })),
      ...renamed.map(({ user }) => ({
        id: user.jid,
        name: user.name,
        displayName: user.name,
        lidJid: user.lidJid,
        conversationTimestamp: now,
      })),
    ],
    phoneNumberToLidMappings: [
      ...added.map((user) => ({ pnJid: user.jid, lidJid: user.lidJid })),
      ...lidOnly
        .filter((chat) => chat.withMapping)
        .map(({ user }) => ({ pnJid: user.jid, lidJid: user.lidJid })),
    ],
    pushnames: [
      ...added.map((user) => ({ id: user.jid, pushname: user.name })),
      ...lidOnly.map(({ user }) => ({ id: user.lidJid, pushname: user.name })),
      ...renamed.map(({ user, pushName }) => ({ id: user.jid, pushname: pushName })),
    ],
  };
  const pushNameSync: proto.IHistorySync = {
    syncType: proto.HistorySync.HistorySyncType.PUSH_NAME,
    chunkOrder: 1,
    progress: 100,
    pushnames: sync.pushnames,
  };
  for (const device of account.devices.values()) {
    if (!device.ready) {
      continue;
    }
    for (const [index, chunk] of [sync, pushNameSync].entries()) {
      await sendHistoryChunk(sim, device, chunk, index);
    }
  }
  return {
    added: added.map(contactInfo),
    lidOnly: lidOnly.map(({ user }) => contactInfo(user)),
  };
}
