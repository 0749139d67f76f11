import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { configSection, emptyToUndefined, WholeNumber } from '../config/config-section';

export interface ClusterConfig {
  /**
   * Cluster mode: several gateway processes share one MySQL database and one Redis (REDIS_URL
   * with DB_TYPE=mysql). Off, one process owns every session (the default, on SQLite too).
   */
  enabled: boolean;
  redisUrl: string | undefined;
  /** This process's id in `cluster_nodes` and in the leases it holds; unique per start. */
  nodeId: string;
  /** Where the other processes reach this one (requests for its sessions are forwarded here). */
  address: string;
  /** A session (or job) lease lasts this long unless renewed; a dead owner's sessions move after it. */
  leaseTtlMs: number;
  /** How often leases are renewed and free sessions looked for. */
  renewIntervalMs: number;
}

/** The cluster's variables (NODE_*, LEASE_*); cluster mode itself follows REDIS_URL and DB_TYPE. */
class ClusterEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,48}$/, { message: 'must be 1-48 characters of A-Z a-z 0-9 _ . -' })
  NODE_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, {
    message: 'must be the http://host:port the other gateway processes reach this one at',
  })
  NODE_ADDRESS?: string;

  @WholeNumber({ min: 3000, max: 600_000, unit: 'milliseconds' })
  LEASE_TTL_MS = 15_000;
}

/** The settings that do not depend on the rest of the configuration. */
export const clusterConfig = configSection(ClusterEnvironment, (env) => ({
  nodeId:
    env.NODE_ID ?? `${hostname().slice(0, 32)}-${process.pid}-${randomBytes(2).toString('hex')}`,
  address: env.NODE_ADDRESS,
  leaseTtlMs: env.LEASE_TTL_MS,
}));

/** The whole section, once the port, the database type and REDIS_URL are known. */
export function completeClusterConfig(
  partial: ReturnType<typeof clusterConfig.build>,
  context: { port: number; mysql: boolean; redisUrl: string | undefined },
): ClusterConfig {
  return {
    enabled: Boolean(context.redisUrl) && context.mysql,
    redisUrl: context.redisUrl,
    nodeId: partial.nodeId,
    address: partial.address ?? `http://127.0.0.1:${context.port}`,
    leaseTtlMs: partial.leaseTtlMs,
    renewIntervalMs: Math.max(500, Math.floor(partial.leaseTtlMs / 5)),
  };
}
