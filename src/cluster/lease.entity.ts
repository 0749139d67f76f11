import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A lease: who owns a session (`session:<id>`) or a cluster-wide job (`job:<name>`) until when.
 * `token` grows by one at every change of hands: it is the fencing token that writes are checked
 * against, so an owner that lost the lease can never write over the new owner's work.
 */
@Entity('cluster_leases')
export class LeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 120 })
  name!: string;

  @Column({ name: 'node_id', type: 'varchar', length: 64 })
  nodeId!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  token!: number;

  @Column({ name: 'acquired_at', type: 'datetime', precision: 3 })
  acquiredAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;
}

/** A gateway process of the cluster, with its last heartbeat. */
@Entity('cluster_nodes')
export class ClusterNodeEntity {
  @PrimaryColumn({ name: 'node_id', type: 'varchar', length: 64 })
  nodeId!: string;

  @Column({ type: 'varchar', length: 255 })
  address!: string;

  @Column({ name: 'started_at', type: 'datetime', precision: 3 })
  startedAt!: Date;

  @Column({ name: 'heartbeat_at', type: 'datetime', precision: 3 })
  heartbeatAt!: Date;

  /** Shutting down: hands its sessions over and takes no new ones. */
  @Column({ type: 'boolean', default: false })
  draining!: boolean;

  @Column({ type: 'int', default: 0 })
  sessions!: number;
}
