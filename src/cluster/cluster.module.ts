import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ClusterController } from './cluster.controller';
import { FencedCommits } from './fenced-commits';
import { LeasedOwnership } from './leased-ownership';
import { PeerClient } from './peer-client';
import { SessionOwnership } from './session-ownership';
import { SoleOwnership } from './sole-ownership';

/**
 * Who owns which session: every process alone, or (REDIS_URL with MySQL) a cluster of processes
 * with leases. Global: the engine, the forwarder and the socket.io gateway all ask it.
 */
@Global()
@Module({
  controllers: [ClusterController],
  providers: [
    PeerClient,
    {
      provide: SessionOwnership,
      inject: [AppConfig, DataSource],
      useFactory: async (config: AppConfig, dataSource: DataSource): Promise<SessionOwnership> => {
        if (!config.cluster.enabled) {
          return new SoleOwnership(config.cluster.nodeId, config.cluster.address);
        }
        const leased = new LeasedOwnership(dataSource, config.cluster);
        await leased.start();
        return leased;
      },
    },
    {
      provide: FencedCommits,
      inject: [DataSource, SessionOwnership],
      useFactory: (dataSource: DataSource, ownership: SessionOwnership) =>
        new FencedCommits(dataSource, ownership),
    },
  ],
  exports: [SessionOwnership, PeerClient, FencedCommits],
})
export class ClusterModule {}
