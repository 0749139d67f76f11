import { io, Socket } from 'socket.io-client';
import { Listenable, nextEmitted } from './next-emitted';

export interface ConnectOptions {
  auth?: Record<string, string>;
  query?: Record<string, string>;
  extraHeaders?: Record<string, string>;
  transports?: ('websocket' | 'polling')[];
}

/** A real socket.io client on the gateway's /ws path; rejects with the connect_error message. */
export function connectSocket(url: string, options: ConnectOptions): Promise<Socket> {
  const socket = io(url, {
    path: '/ws',
    transports: options.transports ?? ['websocket'],
    auth: options.auth,
    query: options.query,
    extraHeaders: options.extraHeaders,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** The next `event` on `socket` whose payload matches. Register it before causing the event. */
export function nextEvent<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<T> {
  // socket.io's typed on/off overloads do not fit a plain listener signature
  const source = socket as unknown as Listenable;
  return nextEmitted<T>(source, event, predicate, timeoutMs, `socket event "${event}"`);
}

/** Emits `event` and resolves with the acknowledgement. */
export function emitWithAck<T = { success: boolean; message: string; data: unknown }>(
  socket: Socket,
  event: string,
  payload?: unknown,
): Promise<T> {
  return (
    payload === undefined
      ? socket.timeout(20_000).emitWithAck(event)
      : socket.timeout(20_000).emitWithAck(event, payload)
  ) as Promise<T>;
}
