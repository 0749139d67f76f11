import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, QueryFailedError, Repository } from 'typeorm';
import {
  InvalidPhoneNumber,
  InvalidSessionId,
  NoQrPending,
  SessionAlreadyExists,
  SessionNotFound,
} from '../common/errors/domain-errors';
import { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest, PaginationQueryDto } from '../common/http/pagination';
import { normalizePhoneNumber } from '../common/phone/phone-number';
import { AppConfig } from '../config/app-config';
import { SessionManager } from '../whatsapp/session-manager';
import type {
  PairingCodeViewDto,
  SessionQrViewDto,
  SessionStatusViewDto,
  SessionViewDto,
} from './dto/session-view.dto';
import type { V1SessionQrDto } from './dto/v1-session.dto';
import { QrImageService } from './qr-image.service';
import { SessionHooks } from './session-hooks';
import { isValidSessionId, RESERVED_SESSION_IDS } from './session-id';
import {
  stateOf,
  toSessionView,
  toStatusView,
  toV1SessionView,
  V1SessionView,
} from './session-presenter';
import { SessionState, WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

export type SessionScope = 'active' | 'connected' | 'all';

/** Session lifecycle and views: the stored rows plus what the SessionManager runs. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(WhatsappSessionEntity)
    private readonly sessions: Repository<WhatsappSessionEntity>,
    private readonly manager: SessionManager,
    private readonly qrImages: QrImageService,
    private readonly config: AppConfig,
    private readonly hooks: SessionHooks,
  ) {}

  /** Creates a session (409 if the id exists) and starts it. */
  async create(sessionId: string | undefined, name: string | undefined): Promise<SessionViewDto> {
    const id = sessionId ?? randomUUID();
    if (!isValidSessionId(id) || RESERVED_SESSION_IDS.has(id)) {
      throw new InvalidSessionId();
    }
    if (await this.sessions.existsBy({ sessionId: id })) {
      throw new SessionAlreadyExists(id);
    }
    try {
      await this.sessions.insert({
        sessionId: id,
        name: name ?? null,
        state: 'disconnected',
        autoStart: false,
      });
    } catch (error) {
      if (error instanceof QueryFailedError) {
        throw new SessionAlreadyExists(id);
      }
      throw error;
    }
    await this.manager.start(id);
    return this.view(id);
  }

  /** Starts a stored session, creating it first when it does not exist (socket.io's start_session). */
  async createOrStart(sessionId: string, name?: string): Promise<SessionViewDto> {
    if (!(await this.sessions.existsBy({ sessionId }))) {
      try {
        return await this.create(sessionId, name);
      } catch (error) {
        if (!(error instanceof SessionAlreadyExists)) {
          throw error;
        }
      }
    }
    return this.start(sessionId);
  }

  /** Changes the display name and per-session settings; only the fields given. */
  async update(
    sessionId: string,
    patch: { name?: string; contactsAutoSync?: boolean | null },
  ): Promise<SessionViewDto & { contactsAutoSync: boolean | null }> {
    const changes: Partial<WhatsappSessionEntity> = {};
    if (patch.name !== undefined) {
      changes.name = patch.name;
    }
    if (patch.contactsAutoSync !== undefined) {
      changes.contactsAutoSync = patch.contactsAutoSync;
    }
    if (Object.keys(changes).length > 0) {
      await this.sessions.update({ sessionId }, changes);
    }
    const row = await this.row(sessionId);
    return {
      ...toSessionView(row, this.manager.get(sessionId)),
      contactsAutoSync: row.contactsAutoSync,
    };
  }

  async start(sessionId: string): Promise<SessionViewDto> {
    await this.manager.start(sessionId);
    return this.view(sessionId);
  }

  async stop(sessionId: string): Promise<SessionViewDto> {
    await this.manager.stop(sessionId);
    return this.view(sessionId);
  }

  async restart(sessionId: string): Promise<SessionViewDto> {
    await this.manager.restart(sessionId);
    return this.view(sessionId);
  }

  async logout(sessionId: string): Promise<SessionViewDto> {
    await this.manager.logout(sessionId);
    return this.view(sessionId);
  }

  /** Logs out, forgets the auth state and the row; stored contacts go too when `purge`. */
  async remove(sessionId: string, purge: boolean): Promise<{ sessionId: string; purged: boolean }> {
    await this.manager.remove(sessionId);
    await this.sessions.delete({ sessionId });
    if (purge) {
      await this.hooks.purge(sessionId);
    }
    return { sessionId, purged: purge };
  }

  async pairingCode(sessionId: string, phoneNumber: string): Promise<PairingCodeViewDto> {
    const phone = normalizePhoneNumber(phoneNumber, this.config.defaultCountryCode);
    if (!phone) {
      throw new InvalidPhoneNumber();
    }
    const pairingCode = await this.manager.requestPairingCode(sessionId, phone);
    return { sessionId, phoneNumber: phone, pairingCode };
  }

  /** `visible`: the caller's sessions (see VisibleSessions); undefined for every session. */
  async list(scope: SessionScope, visible: string[] | undefined): Promise<SessionViewDto[]> {
    return (await this.rows(scope, visible)).map((row) =>
      toSessionView(row, this.manager.get(row.sessionId)),
    );
  }

  /** The stored rows of a list, narrowed to the caller's scope. */
  stored(scope: SessionScope, visible: string[] | undefined): Promise<WhatsappSessionEntity[]> {
    return this.rows(scope, visible);
  }

  /** One stored row; 404 when there is none. */
  storedOne(sessionId: string): Promise<WhatsappSessionEntity> {
    return this.row(sessionId);
  }

  async view(sessionId: string): Promise<SessionViewDto> {
    const row = await this.row(sessionId);
    return toSessionView(row, this.manager.get(sessionId));
  }

  async status(sessionId: string): Promise<SessionStatusViewDto> {
    const row = await this.row(sessionId);
    return toStatusView(row, this.manager.get(sessionId), this.hooks.queueLength(sessionId));
  }

  /** The pending QR code; 409 (naming the state) when there is none. */
  async qr(sessionId: string): Promise<SessionQrViewDto> {
    const { qr, expiresAt } = await this.pendingQr(sessionId);
    return {
      sessionId,
      status: 'qr_waiting',
      qr,
      qrCode: await this.qrImages.dataUrl(qr),
      expiresAt: expiresAt.toISOString(),
    };
  }

  async qrPng(sessionId: string): Promise<Buffer> {
    return this.qrImages.png((await this.pendingQr(sessionId)).qr);
  }

  /** Seed 003's paginated list. */
  async v1List(
    query: PaginationQueryDto & { session_state?: SessionState },
    visible: string[] | undefined,
  ): Promise<{ data: V1SessionView[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.sessions.findAndCount({
      where: {
        ...(query.session_state ? { state: query.session_state } : {}),
        ...(visible ? { sessionId: In(visible) } : {}),
      },
      order: { id: 'ASC' },
      skip: request.skip,
      take: request.perPage,
    });
    const data = await Promise.all(rows.map((row) => this.v1View(row)));
    return { data, meta: pageMeta(request, total) };
  }

  async v1Qr(sessionId: string): Promise<V1SessionQrDto> {
    const { row, qr, expiresAt } = await this.pendingQr(sessionId);
    const view = await this.v1View(row);
    return {
      ...view,
      qr_string: qr,
      is_expired: expiresAt.getTime() <= Date.now(),
      qr,
      qrCode: view.qr_code ?? (await this.qrImages.dataUrl(qr)),
    };
  }

  private async v1View(row: WhatsappSessionEntity): Promise<V1SessionView> {
    const live = this.manager.get(row.sessionId);
    const qr =
      stateOf(row, live) === 'qr_waiting' && row.qrCode
        ? await this.qrImages.dataUrl(row.qrCode)
        : null;
    return toV1SessionView(row, live, qr);
  }

  /** The stored session and its QR code, when one is pending; 409 naming the state otherwise. */
  private async pendingQr(
    sessionId: string,
  ): Promise<{ row: WhatsappSessionEntity; qr: string; expiresAt: Date }> {
    const row = await this.row(sessionId);
    const state = stateOf(row, this.manager.get(sessionId));
    if (state !== 'qr_waiting' || !row.qrCode || !row.qrExpiresAt) {
      throw new NoQrPending(state);
    }
    return { row, qr: row.qrCode, expiresAt: row.qrExpiresAt };
  }

  private async row(sessionId: string): Promise<WhatsappSessionEntity> {
    const row = await this.sessions.findOneBy({ sessionId });
    if (!row) {
      throw new SessionNotFound(sessionId);
    }
    return row;
  }

  /** The sessions of a list, narrowed to the caller's scope (a scoped key sees only its own). */
  private async rows(
    scope: SessionScope,
    visible: string[] | undefined,
  ): Promise<WhatsappSessionEntity[]> {
    if (scope === 'all') {
      return this.sessions.find({
        where: visible ? { sessionId: In(visible) } : {},
        order: { id: 'ASC' },
      });
    }
    const live = this.manager
      .list()
      .filter((session) => scope === 'active' || session.state === 'connected')
      .filter((session) => !visible || visible.includes(session.sessionId));
    if (live.length === 0) {
      return [];
    }
    return this.sessions.find({
      where: { sessionId: In(live.map((session) => session.sessionId)) },
      order: { id: 'ASC' },
    });
  }
}
