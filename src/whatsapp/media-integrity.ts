import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Bytes held back before any leaves: a file up to this size is verified before it is sent. */
export const VERIFY_BEFORE_SENDING_BYTES = 1024 * 1024;

/** The downloaded file is not the one the message describes (its SHA-256 differs). */
export class MediaCorrupt extends Error {
  constructor() {
    super("The file from WhatsApp's media server does not match the message's hash");
    this.name = 'MediaCorrupt';
  }
}

/**
 * Checks the decrypted bytes against the message's `fileSha256` (which travels end-to-end
 * encrypted with the message, so a media host cannot forge it). A file up to
 * VERIFY_BEFORE_SENDING_BYTES is held until it is verified; a larger one flows as it comes, but
 * its last chunk is held back, so a corrupt file never arrives complete: the stream fails with
 * MediaCorrupt instead of ending.
 */
export function verifySha256(expectedBase64: string): Transform {
  const expected = Buffer.from(expectedBase64, 'base64');
  const hash = createHash('sha256');
  let held: Buffer[] = [];
  let heldBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes > VERIFY_BEFORE_SENDING_BYTES && held.length > 1) {
        const last = held.pop() as Buffer;
        for (const part of held) {
          this.push(part);
        }
        held = [last];
        heldBytes = last.length;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!hash.digest().equals(expected)) {
        callback(new MediaCorrupt());
        return;
      }
      for (const part of held) {
        this.push(part);
      }
      callback();
    },
  });
}
