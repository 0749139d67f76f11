import type { Socket } from 'socket.io';
import { apiKeyFromHeaders } from '../common/auth/api-key.guard';

/** The API key of a socket.io handshake: `auth.token`, the Authorization/X-API-Key header, or `?token=`. */
export function apiKeyFromHandshake(socket: Socket): string | undefined {
  const { auth, headers, query } = socket.handshake;
  const fromAuth = (auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) {
    return fromAuth.replace(/^Bearer\s+/i, '');
  }
  const fromHeaders = apiKeyFromHeaders(headers);
  if (fromHeaders) {
    return fromHeaders;
  }
  const fromQuery = query.token;
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? fromQuery : undefined;
}
