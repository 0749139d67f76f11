import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Curve, proto, WA_CERT_DETAILS, type KeyPair } from '@whiskeysockets/baileys';

/**
 * The simulator's test certificate chain, shaped like WhatsApp's:
 * root key (the trust anchor installed in the client) → intermediate certificate
 * (issuerSerial = WA_CERT_DETAILS.SERIAL, signed by the root) → leaf certificate
 * (certifying the noise static key, signed by the intermediate).
 */
export interface TrustChain {
  readonly root: KeyPair;
  /** The server's long-lived Noise static key pair, certified by the leaf. */
  readonly serverStatic: KeyPair;
  /** Encoded `proto.CertChain`, sent (encrypted) in every ServerHello. */
  readonly certChain: Uint8Array;
}

const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** Rebuilds a Curve25519 key pair from its 32-byte private key (a stable root across restarts). */
export function keyPairFromPrivateKey(privateKey: Uint8Array): KeyPair {
  if (privateKey.length !== 32) {
    throw new Error('a Curve25519 private key is 32 bytes');
  }
  const key = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { private: Buffer.from(privateKey), public: Buffer.from(spki.subarray(spki.length - 32)) };
}

function certificate(
  details: proto.CertChain.NoiseCertificate.IDetails,
  signer: KeyPair,
): proto.CertChain.INoiseCertificate {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  return { details: encoded, signature: Curve.sign(signer.private, encoded) };
}

export function createTrustChain(root: KeyPair = Curve.generateKeyPair()): TrustChain {
  const intermediate = Curve.generateKeyPair();
  const serverStatic = Curve.generateKeyPair();
  const notBefore = Math.floor(Date.now() / 1000) - 3600;
  const notAfter = notBefore + TEN_YEARS_S;
  const certChain = proto.CertChain.encode({
    intermediate: certificate(
      {
        serial: INTERMEDIATE_SERIAL,
        issuerSerial: WA_CERT_DETAILS.SERIAL,
        key: intermediate.public,
        notBefore,
        notAfter,
      },
      root,
    ),
    leaf: certificate(
      {
        serial: LEAF_SERIAL,
        issuerSerial: INTERMEDIATE_SERIAL,
        key: serverStatic.public,
        notBefore,
        notAfter,
      },
      intermediate,
    ),
  }).finish();
  return { root, serverStatic, certChain };
}
