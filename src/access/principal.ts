import type { Permission } from './permissions';

/** Who is calling: the admin key or a scoped key. */
export interface Principal {
  /** "admin" for API_KEY, else the key's id. */
  keyId: string;
  name: string;
  /** "*" for every session. */
  sessions: '*' | ReadonlySet<string>;
  permissions: ReadonlySet<Permission>;
  /** Whose budget a request spends (one per key, the same in every process). */
  rateKey: string;
}

export function canSee(principal: Principal, sessionId: string): boolean {
  return principal.sessions === '*' || principal.sessions.has(sessionId);
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission) || principal.permissions.has('admin');
}

/** The session ids a principal is limited to, or undefined for every session. */
export function sessionFilter(principal: Principal | undefined): string[] | undefined {
  return principal && principal.sessions !== '*' ? [...principal.sessions] : undefined;
}
