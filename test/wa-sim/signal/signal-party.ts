import {
  addTransactionCapability,
  DEFAULT_CONNECTION_CONFIG,
  generateSignalPubKey,
  initAuthCreds,
  proto,
  signedKeyPair,
  unpadRandomMax16,
  encodeWAMessage,
  Curve,
  type KeyPair,
  type SignalCreds,
  type SignalKeyStoreWithTransaction,
  type SignalRepositoryWithLIDStore,
  type SocketConfig,
} from '@whiskeysockets/baileys';
import { createMemoryKeyStore } from './memory-key-store';

export type BaileysLogger = SocketConfig['logger'];

/** What a device publishes so others can start a Signal session with it (a "prekey bundle"). */
export interface PreKeyBundle {
  registrationId: number;
  /** 32-byte identity public key (no type prefix). */
  identityKey: Uint8Array;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  preKey?: { keyId: number; publicKey: Uint8Array };
}

export type EncryptedPayload = { type: 'pkmsg' | 'msg'; ciphertext: Uint8Array };

/**
 * A simulated Signal endpoint (a contact's phone, or an account's own phone): real libsignal
 * state from Baileys' repository, kept in memory. Created lazily: a contact that never sends,
 * receives or is asked for its bundle costs nothing.
 */
export class SignalParty {
  readonly creds: SignalCreds;
  readonly repository: SignalRepositoryWithLIDStore;
  private readonly keys: SignalKeyStoreWithTransaction;
  private nextPreKeyId = 1;

  constructor(logger: BaileysLogger, identity?: KeyPair) {
    const base = initAuthCreds();
    const signedIdentityKey = identity ?? base.signedIdentityKey;
    this.creds = {
      signedIdentityKey,
      signedPreKey: identity ? signedKeyPair(identity, 1) : base.signedPreKey,
      registrationId: base.registrationId,
    };
    this.keys = addTransactionCapability(createMemoryKeyStore(), logger, {
      maxCommitRetries: 1,
      delayBetweenTriesMs: 0,
    });
    this.repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository(
      { creds: this.creds, keys: this.keys },
      logger,
      async () => undefined,
    );
  }

  get identityKey(): KeyPair {
    return this.creds.signedIdentityKey;
  }

  /** A fresh bundle with a new one-time prekey (each fetch consumes one, as on the real server). */
  async createBundle(): Promise<PreKeyBundle> {
    const keyId = this.nextPreKeyId++;
    const preKey = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [String(keyId)]: preKey } });
    const { signedPreKey } = this.creds;
    return {
      registrationId: this.creds.registrationId,
      identityKey: this.creds.signedIdentityKey.public,
      signedPreKey: {
        keyId: signedPreKey.keyId,
        publicKey: signedPreKey.keyPair.public,
        signature: signedPreKey.signature,
      },
      preKey: { keyId, publicKey: preKey.public },
    };
  }

  async hasSession(peer: string): Promise<boolean> {
    return (await this.repository.validateSession(peer)).exists;
  }

  /**
   * Encrypts a message for `peer`, starting a session from its bundle first if there is none.
   * `bundle` is only called when a session has to be created.
   */
  async encrypt(
    peer: string,
    message: proto.IMessage,
    bundle: () => PreKeyBundle | undefined,
  ): Promise<EncryptedPayload> {
    if (!(await this.hasSession(peer))) {
      const published = bundle();
      if (!published) {
        throw new Error(`no prekey bundle published for ${peer}`);
      }
      await this.repository.injectE2ESession({
        jid: peer,
        session: {
          registrationId: published.registrationId,
          identityKey: generateSignalPubKey(published.identityKey),
          signedPreKey: {
            keyId: published.signedPreKey.keyId,
            publicKey: generateSignalPubKey(published.signedPreKey.publicKey),
            signature: published.signedPreKey.signature,
          },
          preKey: published.preKey && {
            keyId: published.preKey.keyId,
            publicKey: generateSignalPubKey(published.preKey.publicKey),
          },
        },
      });
    }
    return this.repository.encryptMessage({ jid: peer, data: encodeWAMessage(message) });
  }

  async decrypt(
    peer: string,
    type: 'pkmsg' | 'msg',
    ciphertext: Uint8Array,
  ): Promise<proto.Message> {
    const padded = await this.repository.decryptMessage({ jid: peer, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(padded));
  }

  /** Encrypts a group message with this party's sender key; returns the distribution message too. */
  async encryptGroup(
    group: string,
    meId: string,
    message: proto.IMessage,
  ): Promise<{ ciphertext: Uint8Array; senderKeyDistributionMessage: Uint8Array }> {
    return this.repository.encryptGroupMessage({ group, meId, data: encodeWAMessage(message) });
  }

  async processSenderKey(
    author: string,
    item: proto.Message.ISenderKeyDistributionMessage,
  ): Promise<void> {
    await this.repository.processSenderKeyDistributionMessage({ authorJid: author, item });
  }

  async decryptGroup(
    group: string,
    author: string,
    ciphertext: Uint8Array,
  ): Promise<proto.Message> {
    const padded = await this.repository.decryptGroupMessage({
      group,
      authorJid: author,
      msg: ciphertext,
    });
    return proto.Message.decode(unpadRandomMax16(padded));
  }
}
