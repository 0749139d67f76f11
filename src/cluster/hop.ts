import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** The header a process adds to a request it forwards to the session's owner. */
export const HOP_HEADER = 'x-wa-cluster-hop';

const hops = new AsyncLocalStorage<string>();
/** Forwarded requests being served (see serveForwarded). */
let forwarded = 0;

/** `<node id>.<HMAC of it under the shared API key>`: only a cluster process can forge it. */
export function hopValue(nodeId: string, secret: string): string {
  return `${nodeId}.${createHmac('sha256', secret).update(nodeId).digest('base64url')}`;
}

/** The forwarding node's id when `value` is a genuine hop header, else null. */
export function verifyHop(value: unknown, secret: string): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  const dot = value.lastIndexOf('.');
  const nodeId = value.slice(0, dot);
  const expected = Buffer.from(hopValue(nodeId, secret));
  const given = Buffer.from(value);
  return dot > 0 && expected.length === given.length && timingSafeEqual(expected, given)
    ? nodeId
    : null;
}

/** Runs the rest of a request as one forwarded by another process: it is carried out here. */
export function runAsForwarded<T>(fromNode: string, task: () => T): T {
  return hops.run(fromNode, task);
}

/**
 * Serves a request another process forwarded here as `runAsForwarded`, and turns the
 * AsyncLocalStorage off again once no forwarded request is being served: on Node 20 an enabled
 * AsyncLocalStorage runs a hook for every promise the process creates (Baileys' included), a
 * cost every message would pay for a flag only forwarded requests need.
 */
export function serveForwarded(fromNode: string, res: ServerResponse, next: () => void): void {
  forwarded += 1;
  res.once('close', () => {
    forwarded -= 1;
    if (forwarded === 0) {
      hops.disable();
    }
  });
  runAsForwarded(fromNode, next);
}

/** Whether the current request was forwarded here by another process of the cluster. */
export function isForwardedHop(): boolean {
  return hops.getStore() !== undefined;
}
