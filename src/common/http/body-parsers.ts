import { HttpStatus } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../errors/domain-errors';

/** The unparsed body, kept for signature checks (webhook HMAC). */
export interface RequestWithRawBody extends Request {
  rawBody?: Buffer;
}

const MESSAGES: Record<string, [HttpStatus, string]> = {
  'entity.parse.failed': [HttpStatus.BAD_REQUEST, 'Malformed JSON in request body'],
  'entity.too.large': [HttpStatus.PAYLOAD_TOO_LARGE, 'Request body too large'],
  'encoding.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported content encoding'],
  'charset.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported charset'],
  'request.aborted': [HttpStatus.BAD_REQUEST, 'Request aborted'],
  'request.size.invalid': [HttpStatus.BAD_REQUEST, 'Request size did not match Content-Length'],
  'parameters.too.many': [HttpStatus.PAYLOAD_TOO_LARGE, 'Too many form parameters'],
};

function toDomainError(error: unknown): unknown {
  const type = (error as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in MESSAGES)) {
    return error;
  }
  const [status, message] = MESSAGES[type];
  const detail =
    type === 'entity.parse.failed' && error instanceof Error ? error.message : undefined;
  return new DomainError(status, message, detail);
}

/** Wraps a body parser so its failures become documented 4xx envelopes. */
function guarded(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void parser(req, res, (error?: unknown) =>
      next(error === undefined ? undefined : toDomainError(error)),
    );
  };
}

const keepRawBody = (req: RequestWithRawBody, _res: unknown, buffer: Buffer): void => {
  req.rawBody = buffer;
};

/** JSON and form bodies up to `limit`, with the raw bytes kept on `req.rawBody`. */
export function useBodyParsers(app: INestApplication, limit: string): void {
  app.use(guarded(express.json({ limit, verify: keepRawBody })));
  app.use(guarded(express.urlencoded({ limit, extended: true, verify: keepRawBody })));
}
