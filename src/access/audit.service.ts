import { SessionOwnership } from '../cluster/session-ownership';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Between,
  FindOptionsWhere,
  LessThan,
  MoreThanOrEqual,
  LessThanOrEqual,
  Repository,
} from 'typeorm';
import { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest } from '../common/http/pagination';
import { AppConfig } from '../config/app-config';
import { AuditEventEntity, AuditOutcome } from './audit-event.entity';
import type { AuditQueryDto } from './dto/audit-query.dto';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface AuditRecord {
  keyId: string | null;
  keyName: string | null;
  action: string;
  sessionId: string | null;
  target: string | null;
  outcome: AuditOutcome;
  statusCode: number | null;
  clientIp: string | null;
  requestId: string | null;
}

export interface AuditEventView {
  id: string;
  at: string;
  key_id: string | null;
  key_name: string | null;
  action: string;
  session_id: string | null;
  target: string | null;
  outcome: AuditOutcome;
  status_code: number | null;
  client_ip: string | null;
  request_id: string | null;
}

/** The audit trail: written after each audited request, listed by admins, pruned by age. */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly ownership: SessionOwnership,
  ) {}

  onApplicationBootstrap(): void {
    // one process of a cluster prunes (the holder of the job's lease)
    const prune = (): void => {
      this.ownership
        .exclusive('audit-pruner', async () => {
          await this.prune();
        })
        .catch((error: unknown) =>
          this.logger.warn(`pruning the audit trail failed: ${String(error)}`),
        );
    };
    prune();
    this.timer = setInterval(prune, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async record(record: AuditRecord): Promise<void> {
    try {
      await this.events.insert({ ...record, at: new Date() });
    } catch (error) {
      // The request already happened; losing its audit row must at least be visible
      this.logger.error(`could not write the audit event ${record.action}: ${String(error)}`);
    }
  }

  async list(query: AuditQueryDto): Promise<{ data: AuditEventView[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (query.action) {
      where.action = query.action;
    }
    if (query.session_id) {
      where.sessionId = query.session_id;
    }
    if (query.key_id) {
      where.keyId = query.key_id;
    }
    if (query.outcome) {
      where.outcome = query.outcome;
    }
    if (query.from && query.to) {
      where.at = Between(new Date(query.from), new Date(query.to));
    } else if (query.from) {
      where.at = MoreThanOrEqual(new Date(query.from));
    } else if (query.to) {
      where.at = LessThanOrEqual(new Date(query.to));
    }
    const [rows, total] = await this.events.findAndCount({
      where,
      order: { id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map((row) => this.view(row)), meta: pageMeta(request, total) };
  }

  /** Deletes events older than AUDIT_RETENTION_DAYS; resolves with how many. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.access.auditRetentionDays * 86_400_000);
    try {
      const result = await this.events.delete({ at: LessThan(cutoff) });
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn(`pruning the audit trail failed: ${String(error)}`);
      return 0;
    }
  }

  private view(row: AuditEventEntity): AuditEventView {
    return {
      id: String(row.id),
      at: row.at.toISOString(),
      key_id: row.keyId,
      key_name: row.keyName,
      action: row.action,
      session_id: row.sessionId,
      target: row.target,
      outcome: row.outcome,
      status_code: row.statusCode,
      client_ip: row.clientIp,
      request_id: row.requestId,
    };
  }
}
