import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MediaCorrupt, VERIFY_BEFORE_SENDING_BYTES, verifySha256 } from './media-integrity';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('base64');

/** Feeds `chunks` through the check; resolves with what came out before the end or the error. */
async function through(chunks: Buffer[], expected: string) {
  const out: Buffer[] = [];
  const verified = Readable.from(chunks).pipe(verifySha256(expected));
  verified.on('data', (chunk: Buffer) => out.push(chunk));
  const error = await new Promise<Error | null>((resolve) => {
    verified.on('end', () => resolve(null));
    verified.on('error', resolve);
  });
  return { error, out: Buffer.concat(out) };
}

function chunksOf(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    chunks.push(data.subarray(at, at + size));
  }
  return chunks;
}

describe('verifySha256', () => {
  it('passes a file that matches, byte-equal, small or large', async () => {
    for (const size of [0, 100, VERIFY_BEFORE_SENDING_BYTES * 3]) {
      const data = randomBytes(size);
      const { error, out } = await through(chunksOf(data, 64 * 1024), sha(data));
      expect({ size, error, equal: out.equals(data) }).toEqual({ size, error: null, equal: true });
    }
  });

  it('fails a small file that does not match before a byte leaves', async () => {
    const data = randomBytes(200_000);
    const { error, out } = await through(chunksOf(data, 16 * 1024), sha(randomBytes(10)));
    expect(error).toBeInstanceOf(MediaCorrupt);
    expect(out.length).toBe(0);
  });

  it('fails a large file that does not match without ever handing over all of it', async () => {
    const data = randomBytes(VERIFY_BEFORE_SENDING_BYTES * 2);
    const { error, out } = await through(chunksOf(data, 64 * 1024), sha(randomBytes(10)));
    expect(error).toBeInstanceOf(MediaCorrupt);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(data.length);
  });
});
