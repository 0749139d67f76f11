import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { sessionFilter } from './principal';
import type { Principal } from './principal';

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
