import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
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
 * The session ids the request's caller is limited to (undefined: every session), for the
 * services that list across sessions: they narrow their queries with it so a scoped key sees
 * only its sessions (and the totals of paginated lists stay right). The access guard sets the
 * principal before the handler's parameters are resolved.
 *
 * Passed as a parameter, not kept in an AsyncLocalStorage: on Node 20 an enabled
 * AsyncLocalStorage runs a hook for every promise the process creates (Baileys' too), about a
 * tenth of the CPU of a sent message (README, "CPU per sent message").
 */
export const VisibleSessions = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string[] | undefined =>
    sessionFilter(context.switchToHttp().getRequest<AuthenticatedRequest>().principal),
);
