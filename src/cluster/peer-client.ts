import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { HOP_HEADER, hopValue } from './hop';
import type { SessionOwner } from './session-ownership';

/** Calls another process of the cluster as the cluster itself (the shared API key, a signed hop). */
@Injectable()
export class PeerClient implements OnModuleDestroy {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

  constructor(private readonly config: AppConfig) {}

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  /** The headers that mark a request as forwarded by this process. */
  hopHeaders(): Record<string, string> {
    return { [HOP_HEADER]: hopValue(this.config.cluster.nodeId, this.config.apiKey ?? '') };
  }

  get dispatcher(): Agent {
    return this.agent;
  }

  /** POSTs `body` to `path` on `node`; resolves with the envelope's data, or throws its error. */
  async post<T>(node: SessionOwner, path: string, body: unknown = {}): Promise<T> {
    if (!node.address) {
      throw new DomainError(503, 'The gateway process that runs this session cannot be reached');
    }
    let response;
    try {
      response = await request(`${node.address}${path}`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.config.apiKey ?? ''}`,
          ...this.hopHeaders(),
        },
        body: JSON.stringify(body),
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
    } catch (error) {
      throw new DomainError(
        503,
        'The gateway process that runs this session cannot be reached',
        error instanceof Error ? error.message : String(error),
      );
    }
    const envelope = (await response.body.json().catch(() => ({}))) as {
      success?: boolean;
      message?: string;
      data?: T;
    };
    if (response.statusCode >= 400 || envelope.success === false) {
      throw new DomainError(
        response.statusCode >= 400 ? response.statusCode : 502,
        envelope.message ?? 'The gateway process that runs this session failed',
      );
    }
    return envelope.data as T;
  }
}
