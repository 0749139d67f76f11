import { Injectable } from '@nestjs/common';
import { SessionCredentialsViewDto } from '../sessions/dto/session-view.dto';
import { toCredentialsView } from '../sessions/session-presenter';
import { SessionScope, SessionsService } from '../sessions/sessions.service';
import { SessionManager } from '../whatsapp/session-manager';

/** The linked account of sessions: stored rows joined with what the SessionManager knows live. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly manager: SessionManager,
  ) {}

  async list(
    scope: SessionScope,
    visible: string[] | undefined,
  ): Promise<SessionCredentialsViewDto[]> {
    return (await this.sessions.stored(scope, visible)).map((row) =>
      toCredentialsView(row, this.manager.get(row.sessionId)),
    );
  }

  async one(sessionId: string): Promise<SessionCredentialsViewDto> {
    const row = await this.sessions.storedOne(sessionId);
    return toCredentialsView(row, this.manager.get(sessionId));
  }
}
