import type { proto } from '@whiskeysockets/baileys';
import { uploadMediaMessage, type MediaToSend } from './media/outgoing-media';
import type { Account, ReceivedMessage } from './model/account';
import { normalizePhone } from './model/fixtures';
import type { SimUser } from './model/sim-user';
import type { SimContext } from './protocol/context';
import {
  sendContactPresence,
  sendContactReceipt,
  sendInboundMessage,
  type ContactPresence,
  type ReceiptType,
} from './protocol/inbound';
import { newMessageId } from './protocol/context';
import {
  changeMembers,
  membersNode,
  notifyGroupChange,
  setDescription,
  setSubject,
} from './protocol/group-changes';
import { kickDevice, unlinkDevice } from './protocol/session';
import {
  sendAddressBookSync,
  type AddressBookSyncResult,
  type AddressBookUpdate,
} from './protocol/address-book-sync';
import {
  accountInfo,
  contactInfo,
  deviceInfo,
  groupInfo,
  type AccountInfo,
  type ContactInfo,
  type DeviceInfo,
  type GroupInfo,
} from './views';

/**
 * A change to one of the account's groups made by someone else (`by`, a participant): applied,
 * then announced to the account's devices as WhatsApp does (Baileys emits `groups.update` or
 * `group-participants.update`). Members are numbers or JIDs.
 */
export interface GroupEvent {
  by: string;
  subject?: string;
  /** New description; null removes it. */
  description?: string | null;
  add?: string[];
  remove?: string[];
  promote?: string[];
  demote?: string[];
}

export interface SendOptions {
  /** Send into this group (`id@g.us`); the sender must be a participant. */
  group?: string;
  /** Message id (a fresh one by default). */
  id?: string;
  /** Address a 1:1 message from the sender's phone number (default) or its LID. */
  addressing?: 'pn' | 'lid';
}

/**
 * A stream error code. Mapped to what Baileys expects: 515 restart required, 401 device removed
 * (logged out), 440 connection replaced (`<conflict type="replaced">`), 503 service unavailable;
 * any other code is sent as is.
 */
export type KickCode = number;

/**
 * One simulated phone account, as tests drive it: its contacts write, type and read; its
 * server kicks, drops or refuses its linked devices.
 */
export class SimAccount {
  constructor(
    private readonly sim: SimContext,
    private readonly account: Account,
  ) {}

  get phone(): string {
    return this.account.phone;
  }

  /** `phone@s.whatsapp.net` */
  get jid(): string {
    return this.account.jid;
  }

  /** `digits@lid` */
  get lid(): string {
    return this.account.lidJid;
  }

  get name(): string {
    return this.account.name;
  }

  /** True while at least one linked device is logged in. */
  get connected(): boolean {
    return this.account.onlineDevices.length > 0;
  }

  get contacts(): ContactInfo[] {
    return this.account.contacts.map(contactInfo);
  }

  get groups(): GroupInfo[] {
    return this.account.groups.map((group) => groupInfo(group, this.account));
  }

  get devices(): DeviceInfo[] {
    return [...this.account.devices.values()].map(deviceInfo);
  }

  info(): AccountInfo {
    return accountInfo(this.account);
  }

  /**
   * `from` (a contact: number, `pn@s.whatsapp.net` or `lid@lid`; an unknown number becomes a
   * stranger) sends a text. Encrypted for every linked device; queued for offline ones.
   */
  async sendText(from: string, text: string, options: SendOptions = {}): Promise<{ id: string }> {
    return this.sendMessage(from, { conversation: text }, options);
  }

  /** Like sendText, with any message content (`extendedTextMessage`, `reactionMessage`…). */
  async sendMessage(
    from: string,
    message: proto.IMessage,
    options: SendOptions = {},
  ): Promise<{ id: string }> {
    const id = await sendInboundMessage(this.sim, this.account, this.sender(from), message, {
      id: options.id,
      addressing: options.addressing,
      group: options.group ? this.group(options.group) : undefined,
    });
    return { id };
  }

  /**
   * `from` sends a file: encrypted with a fresh media key, uploaded to the simulator's media
   * host, then sent as an image, video, audio or document message (like sendMessage).
   */
  async sendMedia(
    from: string,
    media: MediaToSend,
    options: SendOptions = {},
  ): Promise<{ id: string; message: proto.IMessage }> {
    const message = uploadMediaMessage(this.sim.media, media);
    const { id } = await this.sendMessage(from, message, options);
    return { id, message };
  }

  /** Presence (`available`, `unavailable`) or typing state (`composing`, `recording`, `paused`). */
  sendPresence(from: string, state: ContactPresence, options: { group?: string } = {}): void {
    sendContactPresence(
      this.account,
      this.sender(from),
      state,
      options.group ? this.group(options.group) : undefined,
    );
  }

  /**
   * A receipt for messages the client sent: in a 1:1 chat from `chat` (the contact, as the
   * client addressed it), in a group from `participant`.
   */
  sendReceipt(chat: string, ids: string[], type: ReceiptType, participant?: string): void {
    sendContactReceipt(this.account, chat, ids, type, participant);
  }

  /** Someone else changes one of the account's groups (see GroupEvent). */
  changeGroup(groupId: string, event: GroupEvent): void {
    const group = this.group(groupId);
    const actor = this.sender(event.by);
    if (event.subject !== undefined) {
      notifyGroupChange(this.account, group, actor, setSubject(group, event.subject, actor));
    }
    if (event.description !== undefined) {
      const change = setDescription(group, event.description ?? undefined, newMessageId());
      notifyGroupChange(this.account, group, actor, change);
    }
    for (const action of ['add', 'remove', 'promote', 'demote'] as const) {
      const members = (event[action] ?? []).map((member) => this.sender(member));
      const { changed } = changeMembers(
        group,
        action,
        members.map((user) => ({ jid: user.jid, user })),
      );
      if (changed.length) {
        notifyGroupChange(this.account, group, actor, membersNode(action, changed));
      }
    }
  }

  /**
   * The phone's address book changes (new contacts, LID-only chats, new push names): sent to the
   * ready linked devices as a history sync, as the phone does.
   */
  syncAddressBook(update: AddressBookUpdate): Promise<AddressBookSyncResult> {
    return sendAddressBookSync(this.sim, this.account, update);
  }

  /** Messages the linked client sent, decrypted, oldest first. */
  received(): ReceivedMessage[] {
    return [...this.account.received];
  }

  /** Resolves with the first received message matching `predicate`, already there or to come. */
  async waitForMessage(
    predicate: (message: ReceivedMessage) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<ReceivedMessage> {
    const existing = this.account.received.find(predicate);
    if (existing) {
      return existing;
    }
    return this.sim.events.waitFor(
      'message',
      (event) => event.phone === this.phone && predicate(event),
      timeoutMs,
    );
  }

  /** Resolves once a linked device has completed its login sequence (immediately if one is online and ready). */
  async waitForReady(timeoutMs = 15_000): Promise<void> {
    if ([...this.account.devices.values()].some((device) => device.ready)) {
      return;
    }
    await this.sim.events.waitFor('ready', (event) => event.phone === this.phone, timeoutMs);
  }

  /**
   * Ends the linked devices' connections with `<stream:error>`: 515 restart required,
   * 401 device removed (also unlinks the device), 440 replaced, 503 service unavailable.
   * Returns the number of connections kicked.
   */
  kick(code: KickCode, options: { device?: number } = {}): number {
    return this.selectDevices(options.device).filter((device) => kickDevice(this.sim, device, code))
      .length;
  }

  /** Cuts the linked devices' TCP connections without a close frame. */
  drop(options: { device?: number } = {}): number {
    let dropped = 0;
    for (const device of this.selectDevices(options.device)) {
      if (device.connection?.isOpen) {
        device.connection.terminate('drop');
        dropped++;
      }
    }
    return dropped;
  }

  /** New connections of this account are cut right after the handshake for `ms` milliseconds. */
  refuseConnections(ms: number): void {
    this.account.refuseUntil = Date.now() + ms;
  }

  /** Unlinks devices server-side (as "log out all devices" on the phone): a 401 kick. */
  unlink(options: { device?: number } = {}): void {
    for (const device of this.selectDevices(options.device)) {
      if (!kickDevice(this.sim, device, 401)) {
        unlinkDevice(this.sim, device, 'server');
      }
    }
  }

  private selectDevices(id?: number) {
    const devices = [...this.account.devices.values()];
    return id === undefined ? devices : devices.filter((device) => device.id === id);
  }

  private sender(from: string): SimUser {
    const user = this.sim.directory.userByJid(
      from.includes('@') ? from : `${normalizePhone(from)}@s.whatsapp.net`,
    );
    if (user) {
      return user;
    }
    if (from.endsWith('@lid')) {
      throw new Error(`unknown LID ${from}`);
    }
    const pn = normalizePhone(from);
    return this.sim.directory.ensureUser(pn, `+${pn}`);
  }

  private group(jid: string) {
    const group = this.account.groups.find((candidate) => candidate.id === jid);
    if (!group) {
      throw new Error(`${this.phone} is not in group ${jid}`);
    }
    return group;
  }
}
