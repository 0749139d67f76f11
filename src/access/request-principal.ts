import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { SESSION_PARAMS } from './permissions';
import { sessionFilter } from './principal';
import type { Principal } from './principal';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The session a request is about: a path parameter, else `user_token`/`session_id` in the query. */
export function sessionOfRequest(request: Request): string | undefined {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  // `:id` names a session only under /sessions (elsewhere, e.g. /api-keys/:id, it is that record)
  const routePath = (request.route as { path?: string } | undefined)?.path ?? request.path ?? '';
  const names = SESSION_PARAMS.filter(
    (name) => name !== 'id' || routePath.startsWith('/sessions/'),
  );
  for (const source of [params, query]) {
    for (const name of names) {
      const value = source[name];
      if (typeof value === 'string' && value !== '') {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * The caller of the current HTTP request, for services that list across sessions: they narrow
 * their queries with `currentSessionFilter()` so a scoped key sees only its sessions (and the
 * totals of paginated lists stay right). Set by the access guard.
 */
const storage = new AsyncLocalStorage<{ principal?: Principal }>();

export function principalContext(_request: Request, _response: Response, next: NextFunction): void {
  storage.run({}, next);
}

export function setRequestPrincipal(principal: Principal): void {
  const store = storage.getStore();
  if (store) {
    store.principal = principal;
  }
}

export function currentPrincipal(): Principal | undefined {
  return storage.getStore()?.principal;
}

/** The session ids the current caller is limited to; undefined means every session. */
export function currentSessionFilter(): string[] | undefined {
  return sessionFilter(currentPrincipal());
}
