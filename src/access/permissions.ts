import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/**
 * What a key may do. `read`: lists, status, stored data. `send`: messages, typing, read marks.
 * `manage`: start/stop/logout/delete sessions, grabs, contact deletes, webhooks. `admin`: keys
 * and the audit trail. The admin key (API_KEY) has all of them on every session.
 */
export const PERMISSIONS = ['read', 'send', 'manage', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const REQUIRED_PERMISSION = 'wa-gateway:permission';

/** The OpenAPI extension that states the permission each private operation needs. */
export const PERMISSION_EXTENSION = 'x-permission';

/**
 * The permission a route needs. Without it: `read` for GET and HEAD, `manage` for the rest, so
 * a new route is guarded by default. The OpenAPI document states it as `x-permission`.
 */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ApiExtension(PERMISSION_EXTENSION, permission),
  );

export function defaultPermission(method: string): Permission {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'manage';
}

/** Route parameters and query fields that name a session, in the seeds' spellings. */
export const SESSION_PARAMS = ['id', 'session_id', 'user_token', 'sessionId'] as const;
