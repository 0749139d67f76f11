import { ApiProperty } from '@nestjs/swagger';

/** A session a process owns, and its lease. */
export class ClusterSessionDto {
  /** @example "sales-1" */
  sessionId!: string;
  /** The fencing token: grows by one each time the session changes hands. @example 3 */
  token!: number;
  /** Since the lease was taken. @example 41250 */
  leaseAgeMs!: number;
  /** Until the lease runs out unless renewed. @example 13800 */
  expiresInMs!: number;
}

/** One gateway process. */
export class ClusterNodeDto {
  /** @example "gw-1" */
  nodeId!: string;
  /** @example "http://10.0.0.5:3000" */
  address!: string;
  /** Shutting down and handing its sessions over. */
  draining!: boolean;
  /** @example "2026-12-06T19:00:00.000Z" */
  startedAt!: string;
  /** @example "2026-12-06T19:05:00.000Z" */
  heartbeatAt!: string;
  /** @example 4 */
  sessionCount!: number;
  @ApiProperty({ type: () => [ClusterSessionDto] })
  sessions!: ClusterSessionDto[];
  /** Cluster-wide jobs it runs, such as the webhook pruner. */
  @ApiProperty({ type: [String], example: ['webhook-pruner'] })
  jobs!: string[];
}

export class ClusterViewDto {
  /** Whether several processes share the work (REDIS_URL with MySQL). */
  clustered!: boolean;
  /** The process that answered. @example "gw-1" */
  nodeId!: string;
  @ApiProperty({ type: () => [ClusterNodeDto] })
  nodes!: ClusterNodeDto[];
}
