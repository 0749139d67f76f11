import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** Media types the simulator encrypts and decrypts, with WhatsApp's HKDF info names. */
export const MEDIA_INFO = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  sticker: 'Image',
} as const;
export type SimMediaType = keyof typeof MEDIA_INFO;

const MAC_LENGTH = 10;

interface MediaKeys {
  iv: Buffer;
  cipherKey: Buffer;
  macKey: Buffer;
}

/** WhatsApp's key expansion: HKDF-SHA256 of the 32-byte media key to 112 bytes. */
export function expandMediaKey(mediaKey: Uint8Array, type: SimMediaType): MediaKeys {
  const expanded = Buffer.from(
    hkdfSync('sha256', mediaKey, Buffer.alloc(0), `WhatsApp ${MEDIA_INFO[type]} Keys`, 112),
  );
  return {
    iv: expanded.subarray(0, 16),
    cipherKey: expanded.subarray(16, 48),
    macKey: expanded.subarray(48, 80),
  };
}

export interface EncryptedMedia {
  mediaKey: Buffer;
  /** AES-256-CBC ciphertext followed by the first 10 bytes of HMAC-SHA256(iv ‖ ciphertext). */
  encrypted: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

/** Encrypts a file as a WhatsApp client does before uploading it. */
export function encryptMedia(plain: Buffer, type: SimMediaType): EncryptedMedia {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = expandMediaKey(mediaKey, type);
  const aes = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([aes.update(plain), aes.final()]);
  const mac = createHmac('sha256', macKey)
    .update(iv)
    .update(ciphertext)
    .digest()
    .subarray(0, MAC_LENGTH);
  const encrypted = Buffer.concat([ciphertext, mac]);
  return {
    mediaKey,
    encrypted,
    fileSha256: createHash('sha256').update(plain).digest(),
    fileEncSha256: createHash('sha256').update(encrypted).digest(),
    fileLength: plain.length,
  };
}

/** Why a received file could not be decrypted. */
export class MediaIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaIntegrityError';
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decrypts an uploaded file as the recipient's phone does: the encrypted file's SHA-256 and the
 * MAC are checked before decrypting, the plaintext's SHA-256 after.
 */
export function decryptMedia(
  encrypted: Buffer,
  type: SimMediaType,
  expected: {
    mediaKey: Uint8Array;
    fileEncSha256?: Uint8Array | null;
    fileSha256?: Uint8Array | null;
  },
): Buffer {
  if (encrypted.length <= MAC_LENGTH) {
    throw new MediaIntegrityError('the encrypted file is too short');
  }
  if (
    expected.fileEncSha256?.length &&
    !sameBytes(createHash('sha256').update(encrypted).digest(), expected.fileEncSha256)
  ) {
    throw new MediaIntegrityError('fileEncSha256 does not match the uploaded file');
  }
  const { iv, cipherKey, macKey } = expandMediaKey(expected.mediaKey, type);
  const ciphertext = encrypted.subarray(0, encrypted.length - MAC_LENGTH);
  const mac = createHmac('sha256', macKey)
    .update(iv)
    .update(ciphertext)
    .digest()
    .subarray(0, MAC_LENGTH);
  if (!sameBytes(mac, encrypted.subarray(encrypted.length - MAC_LENGTH))) {
    throw new MediaIntegrityError('the media MAC does not verify');
  }
  let plain: Buffer;
  try {
    const aes = createDecipheriv('aes-256-cbc', cipherKey, iv);
    plain = Buffer.concat([aes.update(ciphertext), aes.final()]);
  } catch {
    throw new MediaIntegrityError('the media does not decrypt (bad padding)');
  }
  if (
    expected.fileSha256?.length &&
    !sameBytes(createHash('sha256').update(plain).digest(), expected.fileSha256)
  ) {
    throw new MediaIntegrityError('fileSha256 does not match the decrypted file');
  }
  return plain;
}
