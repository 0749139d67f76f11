/** Anything with on/off listeners: Node's EventEmitter, EventEmitter2, a socket.io client. */
export interface Listenable {
  on(event: string, listener: (payload: never) => void): unknown;
  off(event: string, listener: (payload: never) => void): unknown;
}

/**
 * Resolves with the next `event` from `source` whose payload matches `predicate`; rejects after
 * `timeoutMs`. Register it before triggering what causes the event.
 */
export function nextEmitted<T>(
  source: Listenable,
  event: string,
  predicate: (payload: T) => boolean,
  timeoutMs: number,
  what = `"${event}"`,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (payload: T): void => {
      if (predicate(payload)) {
        clearTimeout(timer);
        source.off(event, listener);
        resolve(payload);
      }
    };
    const timer = setTimeout(() => {
      source.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    timer.unref();
    source.on(event, listener);
  });
}
