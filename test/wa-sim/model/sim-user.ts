import { SignalParty, type BaileysLogger } from '../signal/signal-party';
import type { Account } from './account';

export type PresenceState = 'available' | 'unavailable';

/** A person with a phone number and a LID: a contact, or the owner of a simulated account. */
export class SimUser {
  /** Set when this user is a simulated phone account (it links gateway sessions). */
  account?: Account;
  presence?: { state: PresenceState; lastSeen: number };
  private party?: SignalParty;

  constructor(
    readonly pn: string,
    readonly lid: string,
    public name: string,
    private readonly signalLogger: BaileysLogger,
  ) {}

  get jid(): string {
    return `${this.pn}@s.whatsapp.net`;
  }

  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  /** This user's primary device (device 0, the phone): created on first use. */
  get signal(): SignalParty {
    this.party ??= new SignalParty(this.signalLogger);
    return this.party;
  }

  get hasSignalState(): boolean {
    return this.party !== undefined;
  }
}
