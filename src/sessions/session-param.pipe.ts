import { Injectable, Param, PipeTransform } from '@nestjs/common';
import { InvalidSessionId, SessionNotFound } from '../common/errors/domain-errors';
import { SessionRecords } from '../whatsapp/session-records';
import { isValidSessionId } from './session-id';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

/** Checks the session id's form: 400 when it is not one. */
@Injectable()
export class SessionIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (!isValidSessionId(value)) {
      throw new InvalidSessionId();
    }
    return value;
  }
}

/** Resolves a valid session id to its stored session: 404 "Session not found" otherwise. */
@Injectable()
export class SessionByIdPipe implements PipeTransform<string, Promise<WhatsappSessionEntity>> {
  constructor(private readonly records: SessionRecords) {}

  async transform(sessionId: string): Promise<WhatsappSessionEntity> {
    const record = await this.records.find(sessionId);
    if (!record) {
      throw new SessionNotFound(sessionId);
    }
    return record;
  }
}

/** The stored session named by the route parameter (`:id` unless told otherwise). */
export const SessionParam = (name = 'id'): ParameterDecorator =>
  Param(name, SessionIdPipe, SessionByIdPipe);
