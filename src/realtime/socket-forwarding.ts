import type { Socket } from 'socket.io';
import type { Principal } from '../access/principal';
import type { ClientData } from './rooms';

/** The client events that need the session's live WhatsApp connection: run by its owner. */
export const OWNER_EVENTS = [
  'stop_session',
  'logout_session',
  'send_whatsapp_message',
  'check_phone_number',
  'get_profile_info',
  'send_typing',
  'read_message',
] as const;
export type OwnerEvent = (typeof OWNER_EVENTS)[number];

export function isOwnerEvent(event: string): event is OwnerEvent {
  return (OWNER_EVENTS as readonly string[]).includes(event);
}

/** A client event as one process forwards it to the session's owner. */
export interface ForwardedEvent {
  payload: unknown;
  /** The client's own key: the owner authenticates it again (revocation included). */
  key: string;
  clientId: string;
  address: string | null;
}

/** What the owner answers: the acknowledgement and the events it emitted to the caller. */
export interface ForwardedReply<A> {
  ack: A;
  emitted: { event: string; payload: unknown }[];
}

/**
 * The caller of a forwarded event, on the owner's side: what the event handlers use of a socket
 * (its principal, id and address, and `emit`), with every emitted event kept to send back.
 */
export function forwardedCaller(
  principal: Principal,
  event: ForwardedEvent,
): { socket: Socket; emitted: ForwardedReply<unknown>['emitted'] } {
  const emitted: ForwardedReply<unknown>['emitted'] = [];
  const data: ClientData = { principal };
  const socket = {
    id: event.clientId,
    data,
    handshake: { address: event.address ?? undefined },
    emit: (name: string, payload: unknown): boolean => {
      emitted.push({ event: name, payload });
      return true;
    },
  };
  return { socket: socket as unknown as Socket, emitted };
}
