import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
  type KeyPair,
} from '@whiskeysockets/baileys';
import { PairingError } from './device-linking';

/**
 * The key agreement behind pairing by phone-number code (mirror of Baileys' companion side in
 * Socket/socket.js requestPairingCode and messages-recv.js link_code_companion_reg): each side
 * sends an ephemeral public key wrapped as `salt(32) ‖ iv(16) ‖ AES-CTR(key, PBKDF2(code, salt))`.
 */

/** Wraps the phone's ephemeral public key with the code. */
export async function wrapWithCode(code: string, publicKey: Uint8Array): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  return Buffer.concat([
    salt,
    iv,
    aesEncryptCTR(publicKey, await derivePairingCodeKey(code, salt), iv),
  ]);
}

/** Unwraps the companion's ephemeral public key (garbage, not an error, when the code is wrong). */
export async function unwrapWithCode(code: string, wrapped: Buffer): Promise<Buffer> {
  return aesDecryptCTR(
    wrapped.subarray(48, 80),
    await derivePairingCodeKey(code, wrapped.subarray(0, 32)),
    wrapped.subarray(32, 48),
  );
}

/**
 * companion_finish: decrypts the key bundle `salt(32) ‖ iv(12) ‖ AES-GCM(companion identity ‖
 * primary identity ‖ random(32))` and derives the ADV secret the client derived:
 * HKDF(companionShared ‖ identityShared ‖ random, info "adv_secret"). A wrong code fails here.
 */
export function deriveAdvSecret(
  bundle: Buffer,
  companionEphemeral: Uint8Array,
  primaryEphemeral: KeyPair,
  companionIdentity: Uint8Array,
  primaryIdentity: KeyPair,
): Buffer {
  const companionShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral);
  const bundleKey = hkdf(companionShared, 32, {
    salt: bundle.subarray(0, 32),
    info: 'link_code_pairing_key_bundle_encryption_key',
  });
  let plaintext: Buffer;
  try {
    plaintext = aesDecryptGCM(
      bundle.subarray(44),
      bundleKey,
      bundle.subarray(32, 44),
      Buffer.alloc(0),
    );
  } catch {
    throw new PairingError(403, 'wrong pairing code: the companion key bundle does not decrypt');
  }
  const identityShared = Curve.sharedKey(primaryIdentity.private, companionIdentity);
  return Buffer.from(
    hkdf(Buffer.concat([companionShared, identityShared, plaintext.subarray(64, 96)]), 32, {
      info: 'adv_secret',
    }),
  );
}
