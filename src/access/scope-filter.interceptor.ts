import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import type { AuthenticatedRequest } from './request-principal';
import { canSee } from './principal';
import type { Principal } from './principal';

const SESSION_FIELDS = ['sessionId', 'session_id', 'user_token'] as const;

function sessionOfItem(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) {
    return undefined;
  }
  for (const field of SESSION_FIELDS) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === 'string') {
      return value;
    }
  }
  return undefined;
}

/**
 * The last line of defence for scoped keys: a list answer (`data` an array) never carries an
 * item of a session outside the caller's scope, whatever the route. Services narrow their
 * queries too (see request-principal.ts), so counts and pages are right; this only removes.
 */
@Injectable()
export class ScopeFilterInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal || principal.sessions === '*') {
      return next.handle();
    }
    return next.handle().pipe(map((body: unknown) => filterBody(body, principal)));
  }
}

/** An answer without the list items of sessions outside the principal's scope. */
export function filterBody(body: unknown, principal: Principal): unknown {
  if (
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray((body as { data?: unknown }).data)
  ) {
    return body;
  }
  const envelope = body as { data: unknown[]; count?: number };
  const data = envelope.data.filter((item) => {
    const sessionId = sessionOfItem(item);
    return sessionId === undefined || canSee(principal, sessionId);
  });
  if (data.length === envelope.data.length) {
    return body;
  }
  return {
    ...envelope,
    data,
    ...(typeof envelope.count === 'number' ? { count: data.length } : {}),
  };
}
