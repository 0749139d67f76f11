import { deflateSync } from 'node:zlib';
import { decodeBinaryNode, encodeBinaryNode, type BinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import { node } from '../protocol/binary-nodes';
import type { TrustChain } from './certificates';
import { encodeFrame, FrameReader } from './frame-codec';
import { NoiseResponder, type HandshakeResult, type TransportCipher } from './noise-responder';

/** Why a connection ended, as the simulator saw it. */
export type CloseReason =
  | 'client' // the client closed it (or vanished)
  | 'stream-error' // the simulator sent <stream:error> (kick, pairing restart, logout)
  | 'failure' // the simulator refused a login with <failure>
  | 'drop' // the simulator cut the TCP connection without a close frame
  | 'idle' // nothing came from the client for `idleTimeoutMs` (a frozen or vanished client)
  | 'refused' // the account refuses connections for a while
  | 'protocol-error' // the client sent something the simulator could not process
  | 'server-stop';

export interface ConnectionCallbacks {
  /** The Noise handshake completed: decide between registration and login. */
  onHandshake(connection: ClientConnection, result: HandshakeResult): void;
  /** A node from the client that is not an answer to a pending server query. */
  onNode(connection: ClientConnection, stanza: BinaryNode): Promise<void>;
  onClose(connection: ClientConnection): void;
  onError(connection: ClientConnection, error: unknown): void;
}

/** Frames bigger than this are sent zlib-compressed (the binary node flag 2), like the server does. */
const COMPRESS_ABOVE_BYTES = 64 * 1024;
const STREAM_ERROR_CLOSE_GRACE_MS = 1500;

interface PendingQuery {
  resolve(stanza: BinaryNode): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

let nextConnectionId = 1;

/** One client WebSocket: framing, Noise, binary nodes, server-initiated queries, closing. */
export class ClientConnection {
  readonly id = nextConnectionId++;
  clientStaticKey?: Buffer;
  closeReason?: CloseReason;
  closed = false;
  /** Set by the simulator once the connection is logged in (account phone, device id). */
  session?: { phone: string; device: number };

  private readonly reader = new FrameReader();
  private noise?: NoiseResponder;
  private transport?: TransportCipher;
  private handshakeStep: 'hello' | 'finish' | 'done' = 'hello';
  private decodeChain: Promise<void> = Promise.resolve();
  private handlerChain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, PendingQuery>();
  private closeTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private queryCounter = 0;

  /**
   * `idleTimeoutMs`: cut the connection (reason `idle`) when nothing arrives from the client for
   * that long, as the server does with a client that stopped (SIGSTOP) or vanished without its
   * TCP connection closing; 0 never. Baileys pings every 30 s.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly trust: TrustChain,
    private readonly callbacks: ConnectionCallbacks,
    idleTimeoutMs = 0,
  ) {
    socket.binaryType = 'nodebuffer';
    if (idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.terminate('idle'), idleTimeoutMs);
      this.idleTimer.unref();
    }
    socket.on('message', (data: Buffer) => {
      this.idleTimer?.refresh();
      this.onData(data);
    });
    socket.on('close', () => this.onSocketClose());
    socket.on('error', (error) => this.callbacks.onError(this, error));
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** Encodes, encrypts and sends a node. Silently ignored once the connection is closed. */
  send(stanza: BinaryNode): void {
    if (!this.transport || !this.isOpen) {
      return;
    }
    let encoded = encodeBinaryNode(stanza);
    if (encoded.length > COMPRESS_ABOVE_BYTES) {
      encoded = Buffer.concat([Buffer.from([2]), deflateSync(encoded.subarray(1))]);
    }
    this.socket.send(encodeFrame(this.transport.encrypt(encoded)));
  }

  /** Sends a server-initiated IQ and resolves with the client's answer (result or error). */
  query(stanza: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = stanza.attrs.id ?? `sim-${this.id}-${++this.queryCounter}`;
    stanza.attrs.id = id;
    return new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`client did not answer iq ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(stanza);
    });
  }

  /**
   * Sends `<stream:error>` and lets the client close (Baileys closes as soon as it has read it);
   * closes from this side after a short grace period if it does not.
   */
  streamError(code: number | undefined, reasonChild?: BinaryNode): void {
    if (!this.isOpen) {
      return;
    }
    this.closeReason ??= 'stream-error';
    this.send(
      node(
        'stream:error',
        { code: code === undefined ? undefined : String(code) },
        reasonChild ? [reasonChild] : undefined,
      ),
    );
    this.closeTimer = setTimeout(() => this.close(), STREAM_ERROR_CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  /** Sends `<failure reason=..>` (login refused) and closes after the grace period. */
  failure(reason: number): void {
    if (!this.isOpen) {
      return;
    }
    this.closeReason ??= 'failure';
    this.send(node('failure', { reason: String(reason), location: 'sim' }));
    this.closeTimer = setTimeout(() => this.close(), STREAM_ERROR_CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  /** A clean WebSocket close. */
  close(reason?: CloseReason): void {
    if (reason) {
      this.closeReason ??= reason;
    }
    if (
      this.socket.readyState === this.socket.OPEN ||
      this.socket.readyState === this.socket.CONNECTING
    ) {
      this.socket.close();
    }
  }

  /** Cuts the TCP connection without a close frame, like a network failure. */
  terminate(reason: CloseReason = 'drop'): void {
    this.closeReason ??= reason;
    this.socket.terminate();
  }

  private onData(data: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(data);
    } catch (error) {
      this.fail(error);
      return;
    }
    for (const frame of frames) {
      this.decodeChain = this.decodeChain
        .then(() => this.onFrame(frame))
        .catch((error: unknown) => this.fail(error));
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    if (this.closed) {
      return;
    }
    switch (this.handshakeStep) {
      case 'hello': {
        this.noise = new NoiseResponder(this.reader.prologue ?? Buffer.alloc(0), this.trust);
        const serverHello = this.noise.respondToHello(frame);
        this.socket.send(encodeFrame(serverHello));
        this.handshakeStep = 'finish';
        return;
      }
      case 'finish': {
        const result = this.noise!.finish(frame);
        this.noise = undefined;
        this.transport = result.transport;
        this.clientStaticKey = result.clientStaticKey;
        this.handshakeStep = 'done';
        this.callbacks.onHandshake(this, result);
        return;
      }
      case 'done': {
        const stanza = await decodeBinaryNode(this.transport!.decrypt(frame));
        this.dispatch(stanza);
        return;
      }
    }
  }

  private dispatch(stanza: BinaryNode): void {
    const id = stanza.attrs.id;
    const waiting = stanza.tag === 'iq' && id ? this.pending.get(id) : undefined;
    if (waiting && (stanza.attrs.type === 'result' || stanza.attrs.type === 'error')) {
      this.pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.resolve(stanza);
      return;
    }
    this.handlerChain = this.handlerChain
      .then(() => this.callbacks.onNode(this, stanza))
      .catch((error: unknown) => this.callbacks.onError(this, error));
  }

  private fail(error: unknown): void {
    this.callbacks.onError(this, error);
    this.terminate('protocol-error');
  }

  private onSocketClose(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.closeReason ??= 'client';
    clearTimeout(this.closeTimer);
    clearTimeout(this.idleTimer);
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`connection closed before the client answered iq ${id}`));
    }
    this.pending.clear();
    this.callbacks.onClose(this);
  }
}
