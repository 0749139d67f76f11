import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { SessionViewDto } from './dto/session-view.dto';
import { toSessionView } from './session-presenter';
import { WhatsappSessionEntity } from './whatsapp-session.entity';

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(WhatsappSessionEntity)
    private readonly sessions: Repository<WhatsappSessionEntity>,
  ) {}

  async list(): Promise<SessionViewDto[]> {
    const rows = await this.sessions.find({ order: { id: 'ASC' } });
    return rows.map((row) => toSessionView(row));
  }
}
