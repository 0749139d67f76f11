import { jidDecode } from '@whiskeysockets/baileys';
import type { BaileysLogger } from '../signal/signal-party';
import { Account, type AccountSetup } from './account';
import { contactName, groupSubject } from './fixtures';
import { SimGroup, type ParticipantRole } from './group';
import { SimUser } from './sim-user';

/**
 * Everyone the simulator knows: phone accounts (which link gateway sessions), contacts (people in
 * their address books), and groups. Numbers, LIDs and group ids come from counters, so a run is
 * reproducible.
 */
export class Directory {
  private readonly usersByPn = new Map<string, SimUser>();
  private readonly usersByLid = new Map<string, SimUser>();
  private readonly accountsByPhone = new Map<string, Account>();
  private readonly groupsById = new Map<string, SimGroup>();
  private accountCounter = 0;
  private contactCounter = 0;
  private lidCounter = 0;
  private groupCounter = 0;

  constructor(private readonly signalLogger: BaileysLogger) {}

  get accounts(): Account[] {
    return [...this.accountsByPhone.values()];
  }

  account(phone: string): Account | undefined {
    return this.accountsByPhone.get(phone);
  }

  group(jid: string): SimGroup | undefined {
    return this.groupsById.get(jid);
  }

  userByPn(pn: string): SimUser | undefined {
    return this.usersByPn.get(pn);
  }

  /** Resolves a user from any of its JIDs: `pn@s.whatsapp.net`, `lid@lid`, with or without device. */
  userByJid(jid: string): SimUser | undefined {
    const decoded = jidDecode(jid);
    if (!decoded?.user) {
      return undefined;
    }
    if (decoded.server === 'lid') {
      return this.usersByLid.get(decoded.user);
    }
    if (decoded.server === 's.whatsapp.net' || decoded.server === 'c.us') {
      return this.usersByPn.get(decoded.user);
    }
    return undefined;
  }

  /** The account phone number a new scan gets when none is given. */
  nextAccountPhone(): string {
    let phone: string;
    do {
      phone = `1555${String(++this.accountCounter).padStart(7, '0')}`;
    } while (this.usersByPn.has(phone));
    return phone;
  }

  /** A user with this number, created (with a fresh LID) if unknown. */
  ensureUser(pn: string, name: string): SimUser {
    const existing = this.usersByPn.get(pn);
    if (existing) {
      return existing;
    }
    const lid = `10${String(++this.lidCounter).padStart(13, '0')}`;
    const user = new SimUser(pn, lid, name, this.signalLogger);
    this.usersByPn.set(pn, user);
    this.usersByLid.set(lid, user);
    return user;
  }

  createContact(index: number): SimUser {
    let pn: string;
    do {
      pn = `1444${String(++this.contactCounter).padStart(7, '0')}`;
    } while (this.usersByPn.has(pn));
    return this.ensureUser(pn, contactName(index));
  }

  createAccount(setup: AccountSetup): Account {
    const phone = setup.phone ?? this.nextAccountPhone();
    if (this.accountsByPhone.has(phone)) {
      throw new Error(`account ${phone} already exists`);
    }
    const user = this.ensureUser(phone, setup.name);
    user.name = setup.name;
    const contacts = Array.from({ length: setup.contacts }, (_, index) =>
      this.createContact(index),
    );
    const account = new Account(user, setup, contacts);
    user.account = account;
    for (let index = 0; index < setup.groups; index++) {
      account.groups.push(this.createAccountGroup(account, index, setup.participantsPerGroup));
    }
    this.accountsByPhone.set(phone, account);
    return account;
  }

  /**
   * Group `index` of an account: the account is the owner of groups 0, 4, 8…, an admin of groups
   * 2, 6, 10…, and a plain member of the odd ones. Members are taken from its contacts in turn
   * (strangers are created when there are not enough).
   */
  private createAccountGroup(account: Account, index: number, size: number): SimGroup {
    const memberCount = Math.max(1, size) - 1;
    const members: SimUser[] = [];
    const contacts = account.contacts;
    for (let slot = 0; slot < memberCount; slot++) {
      members.push(
        contacts.length > slot
          ? contacts[(index * memberCount + slot) % contacts.length]
          : this.createContact(contacts.length + index * memberCount + slot),
      );
    }
    const accountRole: ParticipantRole =
      index % 2 === 1 ? null : index % 4 === 0 ? 'superadmin' : 'admin';
    const memberRole = (slot: number): ParticipantRole => {
      if (accountRole !== 'superadmin' && slot === 0) {
        return 'superadmin';
      }
      return accountRole === null && slot === 1 ? 'admin' : null;
    };
    const participants: Array<{ user: SimUser; role: ParticipantRole }> = [
      { user: account.user, role: accountRole },
      ...members.map((user, slot) => ({ user, role: memberRole(slot) })),
    ];
    const group = this.createGroup(groupSubject(index), participants);
    group.description = `Simulated group "${group.subject}" of ${account.name}`;
    return group;
  }

  /** A new group with a fresh id. */
  createGroup(
    subject: string,
    participants: Array<{ user: SimUser; role: ParticipantRole }>,
  ): SimGroup {
    const id = `120363${String(++this.groupCounter).padStart(12, '0')}@g.us`;
    const group = new SimGroup(id, subject, participants);
    this.groupsById.set(id, group);
    return group;
  }

  /** Forgets an account (its user stays known as a contact of others). */
  removeAccount(phone: string): void {
    const account = this.accountsByPhone.get(phone);
    if (account) {
      account.user.account = undefined;
      this.accountsByPhone.delete(phone);
    }
  }
}
