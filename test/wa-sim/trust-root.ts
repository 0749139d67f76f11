import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

const ORIGINAL_ROOT = Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY);

/** Parses a Curve25519 public key given as 32 bytes or 64 hex characters. */
export function parseRootPublicKey(publicKey: Buffer | Uint8Array | string): Buffer<ArrayBuffer> {
  const key =
    typeof publicKey === 'string'
      ? /^[0-9a-fA-F]{64}$/.test(publicKey.trim())
        ? Buffer.from(publicKey.trim(), 'hex')
        : undefined
      : Buffer.from(publicKey);
  if (!key || key.length !== 32) {
    throw new Error('the simulator root public key must be 32 bytes (64 hex characters)');
  }
  const copy = Buffer.alloc(32);
  copy.set(key);
  return copy;
}

/**
 * Makes the Baileys loaded in this process trust the simulator's root key instead of WhatsApp's
 * (as a test CA would be installed). Returns a function that restores the previous root.
 * For another process, preload `test/wa-sim/trust-root.js` with WA_SIM_ROOT_PUBLIC_KEY set.
 */
export function installTrustRoot(publicKey: Buffer | Uint8Array | string): () => void {
  const previous = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = parseRootPublicKey(publicKey);
  return () => {
    WA_CERT_DETAILS.PUBLIC_KEY = previous;
  };
}

/** Puts WhatsApp's own root key back. */
export function restoreWhatsAppTrustRoot(): void {
  WA_CERT_DETAILS.PUBLIC_KEY = parseRootPublicKey(ORIGINAL_ROOT);
}
