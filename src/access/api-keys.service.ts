import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyService } from '../common/auth/api-key.service';
import { DomainError } from '../common/errors/domain-errors';
import { ApiKeyEntity } from './api-key.entity';
import type { Permission } from './permissions';
import type { Principal } from './principal';

/** How often a key's `last_used_at` is written at most (it is read per request, not written). */
const LAST_USED_WRITE_MS = 60_000;
/** Keys looked up by digest stay cached this long; creating or revoking one clears the cache. */
const CACHE_TTL_MS = 5_000;

export const KEY_PREFIX = 'wag_';

export class ApiKeyNotFound extends DomainError {
  constructor() {
    super(HttpStatus.NOT_FOUND, 'API key not found');
  }
}

export interface ApiKeyView {
  id: string;
  name: string;
  /** The secret's first characters, to recognise it. */
  prefix: string;
  sessions: string[];
  permissions: Permission[];
  createdAt: string;
  lastUsedAt: string | null;
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Scoped API keys: created by the admin, shown once, stored as SHA-256 digests. Resolves a
 * presented key to a Principal: the admin key (API_KEY) or a stored, unrevoked key.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly lastWritten = new Map<string, number>();
  private readonly admin: Principal;

  constructor(
    private readonly adminKey: ApiKeyService,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {
    this.admin = {
      keyId: 'admin',
      name: 'admin (API_KEY)',
      sessions: '*',
      permissions: new Set<Permission>(['read', 'send', 'manage', 'admin']),
      rateKey: `admin:${adminKey.tag}`,
    };
  }

  /** The caller behind `presented`, or null for no key / a wrong or revoked one. */
  async authenticate(presented: string | undefined | null): Promise<Principal | null> {
    if (typeof presented !== 'string' || presented.length === 0) {
      return null;
    }
    if (this.adminKey.matches(presented)) {
      return this.admin;
    }
    if (!presented.startsWith(KEY_PREFIX)) {
      return null;
    }
    const digest = digestOf(presented);
    const cached = this.cache.get(digest);
    if (cached && cached.until > Date.now()) {
      this.touch(cached.principal);
      return cached.principal;
    }
    const row = await this.keys.findOneBy({ digest, revokedAt: IsNull() });
    // The index finds the row; the digests are still compared in constant time
    const principal =
      row && timingSafeEqual(Buffer.from(row.digest, 'hex'), Buffer.from(digest, 'hex'))
        ? this.principalOf(row)
        : null;
    this.cache.set(digest, { principal, until: Date.now() + CACHE_TTL_MS });
    this.touch(principal);
    return principal;
  }

  async create(
    name: string,
    sessions: string[],
    permissions: Permission[],
  ): Promise<ApiKeyView & { key: string }> {
    const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.save(
      this.keys.create({
        name,
        prefix: secret.slice(0, 12),
        digest: digestOf(secret),
        sessions: JSON.stringify(sessions.includes('*') ? ['*'] : [...new Set(sessions)]),
        permissions: JSON.stringify([...new Set(permissions)]),
        createdAt: new Date(),
        lastUsedAt: null,
        revokedAt: null,
      }),
    );
    this.cache.clear();
    this.logger.log(`API key ${row.id} (${row.prefix}…) created`);
    return { ...this.view(row), key: secret };
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.keys.find({ where: { revokedAt: IsNull() }, order: { id: 'ASC' } });
    return rows.map((row) => this.view(row));
  }

  async get(id: string): Promise<ApiKeyView> {
    return this.view(await this.row(id));
  }

  /** Revokes at once: the key fails on its next request in this process. */
  async revoke(id: string): Promise<ApiKeyView> {
    const row = await this.row(id);
    await this.keys.update({ id: row.id }, { revokedAt: new Date() });
    this.cache.clear();
    this.logger.log(`API key ${row.id} (${row.prefix}…) revoked`);
    return this.view(row);
  }

  private async row(id: string): Promise<ApiKeyEntity> {
    const row = /^\d{1,18}$/.test(id)
      ? await this.keys.findOneBy({ id, revokedAt: IsNull() })
      : null;
    if (!row) {
      throw new ApiKeyNotFound();
    }
    return row;
  }

  private principalOf(row: ApiKeyEntity): Principal {
    const sessions = JSON.parse(row.sessions) as string[];
    return {
      keyId: String(row.id),
      name: row.name,
      sessions: sessions.includes('*') ? '*' : new Set(sessions),
      permissions: new Set(JSON.parse(row.permissions) as Permission[]),
      rateKey: `key:${row.digest.slice(0, 12)}`,
    };
  }

  private view(row: ApiKeyEntity): ApiKeyView {
    return {
      id: String(row.id),
      name: row.name,
      prefix: row.prefix,
      sessions: JSON.parse(row.sessions) as string[],
      permissions: JSON.parse(row.permissions) as Permission[],
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
    };
  }

  /** Records that a stored key was used, at most once a minute per key. */
  private touch(principal: Principal | null): void {
    if (!principal || principal.keyId === 'admin') {
      return;
    }
    const now = Date.now();
    if ((this.lastWritten.get(principal.keyId) ?? 0) + LAST_USED_WRITE_MS > now) {
      return;
    }
    this.lastWritten.set(principal.keyId, now);
    this.keys.update({ id: principal.keyId }, { lastUsedAt: new Date(now) }).catch((error) => {
      this.logger.warn(`could not record the use of key ${principal.keyId}: ${String(error)}`);
    });
  }
}
