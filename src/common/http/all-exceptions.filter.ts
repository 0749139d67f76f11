import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors/domain-errors';
import { errorEnvelopeOf, type ErrorEnvelope } from './envelope';

const STATUS_MESSAGES: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad request',
  [HttpStatus.UNAUTHORIZED]: 'Invalid API key',
  [HttpStatus.FORBIDDEN]: 'Forbidden',
  [HttpStatus.NOT_FOUND]: 'Not found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'Method not allowed',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body too large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported media type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too many requests',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service unavailable',
  [HttpStatus.GATEWAY_TIMEOUT]: 'Timed out',
};

/**
 * The one place errors become HTTP responses (CONTRACT §4). Known errors keep their status and
 * message; anything else is a 500 with a generic message and an error id that is logged with
 * the stack, so nothing internal (stack, SQL, request body) reaches the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      return;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const [status, body] = this.responseOf(exception, request);
    if (response.headersSent) {
      return;
    }
    response.status(status).json(body);
  }

  /** The status and envelope of an error (an unexpected one is logged with its id here). */
  responseOf(exception: unknown, request: Request): [number, ErrorEnvelope] {
    if (exception instanceof DomainError) {
      return [exception.status, errorEnvelopeOf(exception)];
    }
    if (exception instanceof HttpException) {
      const status: number = exception.getStatus();
      if (status === 404 && this.isRouteMiss(exception)) {
        return [
          status,
          { success: false, message: `Route ${request.method} ${request.path} not found` },
        ];
      }
      if (status >= 500) {
        return this.unexpected(exception, status);
      }
      return [status, { success: false, message: this.messageOf(exception, status) }];
    }
    return this.unexpected(exception, HttpStatus.INTERNAL_SERVER_ERROR);
  }

  private unexpected(exception: unknown, status: number): [number, ErrorEnvelope] {
    const errorId = randomUUID();
    const stack = exception instanceof Error ? exception.stack : String(exception);
    this.logger.error({ errorId, err: exception }, `Unexpected error ${errorId}`, stack);
    return [
      status,
      {
        success: false,
        message:
          status === 500 ? 'Internal server error' : (STATUS_MESSAGES[status] ?? 'Server error'),
        error_id: errorId,
      },
    ];
  }

  private isRouteMiss(exception: HttpException): boolean {
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : response;
    return typeof message === 'string' && /^Cannot [A-Z]+ /.test(message);
  }

  private messageOf(exception: HttpException, status: number): string {
    const response = exception.getResponse();
    if (typeof response === 'string') {
      return response;
    }
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') {
      return message;
    }
    if (Array.isArray(message) && message.every((item) => typeof item === 'string')) {
      return message.join('; ');
    }
    return STATUS_MESSAGES[status] ?? exception.message;
  }
}
