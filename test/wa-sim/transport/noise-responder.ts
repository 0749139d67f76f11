import { createHash } from 'node:crypto';
import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  hkdf,
  NOISE_MODE,
  proto,
  type KeyPair,
} from '@whiskeysockets/baileys';
import type { TrustChain } from './certificates';

const EMPTY = Buffer.alloc(0);

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

const counterIv = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

/** The handshake's symmetric state, mirroring Baileys' noise-handler (one counter, reset on mixKey). */
class SymmetricState {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;

  constructor(prologue: Uint8Array) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.mixHash(prologue);
  }

  mixHash(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  mixKey(material: Uint8Array): void {
    const out = Buffer.from(hkdf(material, 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  encrypt(plaintext: Uint8Array): Buffer {
    const ciphertext = aesEncryptGCM(plaintext, this.key, counterIv(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    const plaintext = aesDecryptGCM(ciphertext, this.key, counterIv(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** [client→server key, server→client key] */
  split(): [Buffer, Buffer] {
    const out = Buffer.from(hkdf(EMPTY, 64, { salt: this.salt, info: '' }));
    return [out.subarray(0, 32), out.subarray(32)];
  }
}

/** Post-handshake AES-GCM transport: separate read and write counters, empty AAD. */
export class TransportCipher {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly readKey: Buffer,
    private readonly writeKey: Buffer,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return aesEncryptGCM(plaintext, this.writeKey, counterIv(this.writeCounter++), EMPTY);
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return aesDecryptGCM(ciphertext, this.readKey, counterIv(this.readCounter++), EMPTY);
  }
}

export interface HandshakeResult {
  clientStaticKey: Buffer;
  payload: proto.ClientPayload;
  transport: TransportCipher;
}

/**
 * Server side (responder) of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake:
 * ClientHello(e) → ServerHello(e, ee, s, es, certificate chain) → ClientFinish(s, se, payload).
 */
export class NoiseResponder {
  private readonly state: SymmetricState;
  private readonly ephemeral: KeyPair = Curve.generateKeyPair();
  private clientEphemeral?: Buffer;

  constructor(
    prologue: Uint8Array,
    private readonly trust: TrustChain,
  ) {
    this.state = new SymmetricState(prologue);
  }

  /** Consumes the ClientHello frame, returns the encoded ServerHello HandshakeMessage. */
  respondToHello(frame: Uint8Array): Buffer {
    const clientEphemeral = proto.HandshakeMessage.decode(frame).clientHello?.ephemeral;
    if (!clientEphemeral || clientEphemeral.length !== 32) {
      throw new Error('ClientHello without a 32-byte ephemeral key');
    }
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.state.mixHash(clientEphemeral);
    this.state.mixHash(this.ephemeral.public);
    this.state.mixKey(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const encryptedStatic = this.state.encrypt(this.trust.serverStatic.public);
    this.state.mixKey(Curve.sharedKey(this.trust.serverStatic.private, clientEphemeral));
    const encryptedCertificates = this.state.encrypt(this.trust.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: {
          ephemeral: this.ephemeral.public,
          static: encryptedStatic,
          payload: encryptedCertificates,
        },
      }).finish(),
    );
  }

  /** Consumes the ClientFinish frame: the client's static key and its ClientPayload. */
  finish(frame: Uint8Array): HandshakeResult {
    if (!this.clientEphemeral) {
      throw new Error('ClientFinish before ClientHello');
    }
    const clientFinish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!clientFinish?.static || !clientFinish.payload) {
      throw new Error('malformed ClientFinish');
    }
    const clientStaticKey = this.state.decrypt(clientFinish.static);
    this.state.mixKey(Curve.sharedKey(this.ephemeral.private, clientStaticKey));
    const payload = proto.ClientPayload.decode(this.state.decrypt(clientFinish.payload));
    const [clientToServer, serverToClient] = this.state.split();
    return {
      clientStaticKey,
      payload,
      transport: new TransportCipher(clientToServer, serverToClient),
    };
  }
}
