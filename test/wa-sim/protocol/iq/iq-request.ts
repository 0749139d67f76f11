import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../../model/account';
import type { ClientConnection } from '../../transport/client-connection';
import type { SimContext } from '../context';
import type { PairingService } from '../pairing/pairing-service';

/** One IQ from a client, with what a handler needs to answer it. */
export interface IqRequest {
  readonly sim: SimContext;
  readonly pairing: PairingService;
  readonly connection: ClientConnection;
  /** The logged-in device, absent on a connection that is still registering. */
  readonly device?: LinkedDevice;
  readonly iq: BinaryNode;
  /** The IQ's first child (`count`, `participating`, `usync`…). */
  readonly first?: BinaryNode;
  respond(content?: BinaryNode[]): void;
  fail(code: number, text: string): void;
}

/** Answers the IQ and returns true, or returns false: "not simulated" (answered empty, reported). */
export type IqHandler = (request: IqRequest) => boolean | Promise<boolean>;
