import { WaDirectory } from '../../whatsapp/address-book/wa-directory';

export interface PictureResult {
  pictures: Map<string, string | null>;
  failed: { id: string; error: string }[];
}

/**
 * Fetches the profile pictures of `jids` with at most `concurrency` requests in flight, each
 * given up after `timeoutMs`. A failure is reported for that JID and the others go on.
 */
export async function fetchPictures(
  directory: WaDirectory,
  sessionId: string,
  jids: string[],
  options: { concurrency: number; timeoutMs: number; onProgress?: (done: number) => void },
): Promise<PictureResult> {
  const pictures = new Map<string, string | null>();
  const failed: { id: string; error: string }[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < jids.length) {
      const jid = jids[next++];
      try {
        const url = directory.profilePictureUrl(sessionId, jid, options.timeoutMs);
        pictures.set(jid, await withTimeout(url, options.timeoutMs));
      } catch (error) {
        failed.push({
          id: jid,
          error: `profile picture: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jids.length) }, worker));
  return { pictures, failed };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
