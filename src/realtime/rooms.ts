import type { Server, Socket } from 'socket.io';
import type { Principal } from '../access/principal';

/**
 * Who gets a session's events. A client starts subscribed to every session (seed 002's clients
 * never subscribe: a bot that reconnects after a gateway restart must still see its messages).
 * `subscribe {sessionId}` narrows that to the sessions named; `subscribe {sessionId: "*"}` widens
 * it again; `unsubscribe` drops one session (or, with "*", everything).
 *
 * Rooms: the all-sessions room, one room per session, and one "muted" room per session for
 * clients that take every session but that one. Emitting goes through `toSession`.
 */
export const ALL_SESSIONS_ROOM = 'sessions:*';

export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/** Per-connection state: whether the client ever chose its sessions (then it stops taking all). */
export interface ClientData {
  explicit?: boolean;
  principal?: Principal;
}

export const dataOf = (client: Socket): ClientData => client.data as ClientData;

function mutedRoom(sessionId: string): string {
  return `muted:${sessionId}`;
}

/** The rooms that get a session's events: its own and the all-sessions room. */
export function roomsFor(sessionId: string): string[] {
  return [sessionRoom(sessionId), ALL_SESSIONS_ROOM];
}

/** The broadcast of one session's events: its subscribers, less those who muted it. */
export function toSession(server: Server, sessionId: string) {
  return server.to(roomsFor(sessionId)).except(mutedRoom(sessionId));
}

/** A new connection (and `subscribe {sessionId: "*"}`, which is `explicit`): every session's events. */
export async function subscribeToAll(client: Socket, explicit = false): Promise<void> {
  if (explicit) {
    dataOf(client).explicit = true;
  }
  const scope = dataOf(client).principal?.sessions ?? '*';
  if (scope === '*') {
    await client.join(ALL_SESSIONS_ROOM);
  } else {
    // A key scoped to some sessions: "every session" means every one of its sessions
    await client.join([...scope].map(sessionRoom));
  }
  for (const room of client.rooms) {
    if (room.startsWith('muted:')) {
      await client.leave(room);
    }
  }
}

/**
 * `subscribe {sessionId}`: the first explicit subscription narrows a client that still takes
 * every session to the ones it names; `narrow: false` (starting a session) only adds it.
 */
export async function subscribeTo(client: Socket, sessionId: string, narrow = true): Promise<void> {
  if (narrow && dataOf(client).explicit !== true) {
    await client.leave(ALL_SESSIONS_ROOM);
  }
  if (narrow) {
    dataOf(client).explicit = true;
  }
  await client.leave(mutedRoom(sessionId));
  await client.join(sessionRoom(sessionId));
}

export async function unsubscribeFrom(client: Socket, sessionId: string): Promise<void> {
  dataOf(client).explicit = true;
  await client.leave(sessionRoom(sessionId));
  if (client.rooms.has(ALL_SESSIONS_ROOM)) {
    await client.join(mutedRoom(sessionId));
  }
}

export async function unsubscribeFromAll(client: Socket): Promise<void> {
  dataOf(client).explicit = true;
  for (const room of [...client.rooms]) {
    if (room !== client.id) {
      await client.leave(room);
    }
  }
}

/** The sessions a client gets events of: `"*"` for all (less the muted ones), else a list. */
export function subscriptionsOf(client: Socket): {
  all: boolean;
  sessions: string[];
  muted: string[];
} {
  const rooms = [...client.rooms];
  return {
    all: client.rooms.has(ALL_SESSIONS_ROOM),
    sessions: rooms.filter((room) => room.startsWith('session:')).map((room) => room.slice(8)),
    muted: rooms.filter((room) => room.startsWith('muted:')).map((room) => room.slice(6)),
  };
}
