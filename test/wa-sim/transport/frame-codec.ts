/**
 * WhatsApp's framing over the WebSocket: the client's first bytes are an intro header
 * (`WA` + 2 version bytes, optionally preceded by an `ED` edge-routing block), then frames of a
 * 3-byte big-endian length and a payload, in both directions.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private prologueRead = false;
  /** The 4 header bytes (`WA`, version, dictionary version): the Noise prologue. */
  prologue?: Buffer;

  /** Appends received bytes, returns every complete frame. Throws on a malformed intro. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (!this.prologueRead && !this.readPrologue()) {
      return [];
    }
    const frames: Buffer[] = [];
    while (this.buffered.length >= 3) {
      const size = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < size + 3) {
        break;
      }
      frames.push(this.buffered.subarray(3, size + 3));
      this.buffered = this.buffered.subarray(size + 3);
    }
    return frames;
  }

  private readPrologue(): boolean {
    let offset = 0;
    if (this.buffered.subarray(0, 2).toString('latin1') === 'ED') {
      if (this.buffered.length < 7) {
        return false;
      }
      offset = 7 + this.buffered.readUIntBE(4, 3);
    }
    if (this.buffered.length < offset + 4) {
      return false;
    }
    const header = this.buffered.subarray(offset, offset + 4);
    if (header.subarray(0, 2).toString('latin1') !== 'WA') {
      throw new Error('connection does not start with the WA intro header');
    }
    this.prologue = Buffer.from(header);
    this.buffered = this.buffered.subarray(offset + 4);
    this.prologueRead = true;
    return true;
  }
}

export const MAX_FRAME_SIZE = 0xffffff;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_SIZE) {
    throw new Error(`frame of ${payload.length} bytes exceeds the 16 MiB frame limit`);
  }
  const frame = Buffer.allocUnsafe(3 + payload.length);
  frame.writeUIntBE(payload.length, 0, 3);
  frame.set(payload, 3);
  return frame;
}
