import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { request } from 'undici';
import { HOP_HEADER, serveForwarded, verifyHop } from './hop';
import type { PeerClient } from './peer-client';
import type { SessionOwnership } from './session-ownership';

const SESSION_ID = /^[A-Za-z0-9_.-]{1,100}$/;
/** Paths that name a session: the engine's, the contact grabber's and the event store's QR. */
const SESSION_PATHS = [
  /^\/sessions\/([^/]+)(?:\/|$)/,
  /^\/api\/sessions\/([^/]+)\//,
  /^\/api\/v1\/sessions\/([^/]+)\/qr$/,
];
/** Words of `/sessions/...` that are lists, not session ids. */
const NOT_SESSIONS = new Set(['connected', 'all']);
/** Headers that belong to one connection, not to the request. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
  'trailer',
]);

/** The session a request path names, if any. */
export function sessionOfPath(path: string): string | null {
  for (const pattern of SESSION_PATHS) {
    const match = pattern.exec(path);
    if (match) {
      let id: string;
      try {
        id = decodeURIComponent(match[1]);
      } catch {
        return null;
      }
      return SESSION_ID.test(id) && !NOT_SESSIONS.has(id) ? id : null;
    }
  }
  return null;
}

/**
 * Cluster mode: a request that names a session owned by another process is carried out there
 * (streamed through as it came, the client's own key included) and its answer streamed back, so
 * a client may call any process. A request forwarded to this one runs here.
 */
export function sessionForwarder(
  ownership: SessionOwnership,
  peers: PeerClient,
  secret: string,
): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('ClusterForwarder');
  return (req, res, next) => {
    const from =
      req.headers[HOP_HEADER] === undefined ? null : verifyHop(req.headers[HOP_HEADER], secret);
    if (from) {
      serveForwarded(from, res, next);
      return;
    }
    const sessionId = sessionOfPath(req.path);
    if (!sessionId || ownership.holds(sessionId)) {
      next();
      return;
    }
    ownership.ownerOf(sessionId).then(
      (owner) => {
        if (!owner || owner.local || !owner.address) {
          next();
          return;
        }
        forward(req, res, `${owner.address}${req.originalUrl}`, peers).catch((error: unknown) => {
          logger.warn(`forwarding to ${owner.nodeId} failed: ${String(error)}`);
          if (!res.headersSent) {
            res.status(503).json({
              success: false,
              message: 'The gateway process that runs this session cannot be reached; try again',
            });
          } else {
            res.destroy();
          }
        });
      },
      () => next(),
    );
  };
}

async function forward(req: Request, res: Response, url: string, peers: PeerClient): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) {
      headers[name] = value;
    }
  }
  Object.assign(headers, peers.hopHeaders());
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
    .flat()
    .filter(Boolean)
    .join(', ');
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const upstream = await request(url, {
    method: req.method as 'GET',
    headers,
    body: hasBody ? req : undefined,
    dispatcher: peers.dispatcher,
    headersTimeout: 120_000,
    bodyTimeout: 0,
  });
  res.status(upstream.statusCode);
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) {
      res.setHeader(name, value);
    }
  }
  for await (const chunk of upstream.body) {
    if (!res.write(chunk as Buffer)) {
      await new Promise((resolve) => res.once('drain', resolve));
    }
  }
  res.end();
}
