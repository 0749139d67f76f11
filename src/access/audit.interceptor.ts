import {
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, concatMap, from, map, Observable, throwError } from 'rxjs';
import { DomainError } from '../common/errors/domain-errors';
import { type AuthenticatedRequest, sessionOfRequest } from './request-principal';
import type { AuditOutcome } from './audit-event.entity';
import { AuditRecord, AuditService } from './audit.service';
import { defaultPermission, REQUIRED_PERMISSION } from './permissions';
import type { Permission } from './permissions';

const AUDIT_ACTION = 'wa-gateway:audit-action';

/** Names the audit action of a route (otherwise derived from its method and path). */
export const Audit = (action: string): MethodDecorator => SetMetadata(AUDIT_ACTION, action);

/** Path parameters that name the target of an action (not the session). */
const TARGET_PARAMS = ['webhookId', 'deliveryId', 'cid', 'listId', 'group_id', 'phone'];

/**
 * What is audited: every change (`manage` and `admin` routes other than reads), grabs and exports.
 * Sends are not (they are the message store's business, and would drown the trail), nor is
 * webhook ingest (an engine's event stream, not a user's change).
 */
export function auditActionOf(
  method: string,
  routePath: string,
  query: Record<string, unknown>,
  permission: Permission,
): string | null {
  const path = routePath.replace(/\/+$/, '');
  if (path === '/api/v1/webhook') {
    return null;
  }
  const grab = /\/grab-(groups|contacts|all)$/.exec(path);
  if (grab) {
    return `contacts.grab_${grab[1]}`;
  }
  // campaigns send (permission `send`) but are changes a user makes: audited
  const campaign = /^\/sessions\/:id\/campaigns(?:\/:cid\/(pause|resume|cancel))?$/.exec(path);
  if (method === 'POST' && campaign) {
    return `campaign.${campaign[1] ?? 'create'}`;
  }
  // saved contact lists (permission `send`): a user's changes to campaign audiences, audited
  const list = /^\/sessions\/:id\/contact-lists(\/:listId)?(\/members(?:\/:member)?)?$/.exec(path);
  if (list && method !== 'GET') {
    if (list[2]) {
      return method === 'POST' ? 'contact_list.add_members' : 'contact_list.remove_member';
    }
    if (list[1]) {
      return method === 'PATCH' ? 'contact_list.rename' : 'contact_list.delete';
    }
    return 'contact_list.create';
  }
  if (path.startsWith('/sessions/:id/opt-outs') && method !== 'GET') {
    return method === 'POST' ? 'campaign.opt_out' : 'campaign.opt_in';
  }
  if (method === 'GET' && typeof query.format === 'string' && query.format !== 'json') {
    return path.includes('/campaigns/') ? 'campaign.export' : 'contacts.export';
  }
  if (method === 'GET' || method === 'HEAD' || permission === 'send' || permission === 'read') {
    return null;
  }
  const known: Record<string, string> = {
    'POST /sessions': 'session.create',
    'DELETE /sessions/:id': 'session.delete',
    'PATCH /sessions/:id': 'session.update',
    'POST /sessions/:id/pairing-code': 'session.pairing_code',
    'DELETE /api/sessions/:session_id/contacts': 'contacts.delete',
    'POST /api-keys': 'key.create',
    'DELETE /api-keys/:id': 'key.revoke',
    'POST /sessions/:id/webhooks': 'webhook.create',
    'PATCH /sessions/:id/webhooks/:webhookId': 'webhook.update',
    'DELETE /sessions/:id/webhooks/:webhookId': 'webhook.delete',
  };
  const named = known[`${method} ${path}`];
  if (named) {
    return named;
  }
  const lifecycle = /^\/sessions\/:id\/(start|stop|restart|logout)$/.exec(path);
  if (lifecycle) {
    return `session.${lifecycle[1]}`;
  }
  if (/\/replay$/.test(path)) {
    return 'webhook.replay';
  }
  return `${method.toLowerCase()} ${path}`.slice(0, 64);
}

/** The audit action of a request, or null when it is not audited. */
export function auditActionOfContext(
  reflector: Reflector,
  context: ExecutionContext,
): string | null {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const routePath = (request.route as { path?: string } | undefined)?.path ?? request.path;
  const permission =
    reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]) ?? defaultPermission(request.method);
  return (
    reflector.get<string | undefined>(AUDIT_ACTION, context.getHandler()) ??
    auditActionOf(request.method, routePath, request.query, permission)
  );
}

/** The audit event of an audited request that ended with `statusCode`. */
export function auditRecordOf(
  request: AuthenticatedRequest,
  action: string,
  statusCode: number,
  outcome: AuditOutcome = statusCode < 400 ? 'success' : 'failure',
): AuditRecord {
  const routePath = (request.route as { path?: string } | undefined)?.path ?? request.path;
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const body = request.body as { sessionId?: unknown } | undefined;
  const target =
    TARGET_PARAMS.map((name) => params[name]).find(Boolean) ??
    (routePath.startsWith('/api-keys/') ? params.id : undefined) ??
    (typeof request.query?.type === 'string' ? `type=${request.query.type}` : undefined);
  return {
    keyId: request.principal?.keyId ?? null,
    keyName: request.principal?.name ?? null,
    action,
    sessionId:
      sessionOfRequest(request) ?? (typeof body?.sessionId === 'string' ? body.sessionId : null),
    target: target?.slice(0, 255) ?? null,
    outcome,
    statusCode,
    clientIp: request.ip ?? null,
    requestId: typeof request.id === 'string' ? request.id : null,
  };
}

/**
 * Writes one audit event for each audited request, whether it succeeded or failed, before the
 * response goes out: a client that saw the answer finds the row in `GET /audit`.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const action = auditActionOfContext(this.reflector, context);
    if (!action || !request.principal) {
      return next.handle();
    }
    const write = (statusCode: number): Promise<void> =>
      this.audit.record(auditRecordOf(request, action, statusCode));
    return next.handle().pipe(
      concatMap((value: unknown) =>
        from(write(context.switchToHttp().getResponse<{ statusCode: number }>().statusCode)).pipe(
          map(() => value),
        ),
      ),
      catchError((error: unknown) =>
        from(
          write(
            error instanceof DomainError
              ? error.status
              : error instanceof HttpException
                ? error.getStatus()
                : 500,
          ),
        ).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }
}
