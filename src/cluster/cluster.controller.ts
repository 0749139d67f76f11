import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../access/permissions';
import { Envelope, ok } from '../common/http/envelope';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ClusterViewDto } from './cluster.dto';
import { LeasedOwnership } from './leased-ownership';
import { SessionOwnership } from './session-ownership';

/** The processes of the cluster, their sessions and lease ages (admin). */
@ApiTags('Cluster')
@ApiKeyAuth()
@RequirePermission('admin')
@Controller('cluster')
export class ClusterController {
  constructor(private readonly ownership: SessionOwnership) {}

  @Get()
  @ApiOperation({
    summary: 'List the gateway processes, the sessions each owns and the age of their leases',
  })
  @ApiEnvelope(ClusterViewDto, { message: 'Cluster retrieved successfully' })
  @ApiErrors(403)
  async view(): Promise<Envelope<ClusterViewDto>> {
    const nodes = await this.ownership.nodes();
    const leases = this.ownership instanceof LeasedOwnership ? await this.ownership.leases() : [];
    return ok('Cluster retrieved successfully', {
      clustered: this.ownership.clustered,
      nodeId: this.ownership.nodeId,
      nodes: nodes.map((node) => ({
        nodeId: node.nodeId,
        address: node.address,
        draining: node.draining,
        startedAt: node.startedAt.toISOString(),
        heartbeatAt: node.heartbeatAt.toISOString(),
        sessionCount: node.sessions,
        sessions: this.ownership.clustered
          ? leases
              .filter((lease) => lease.nodeId === node.nodeId && lease.name.startsWith('session:'))
              .map((lease) => ({
                sessionId: lease.name.slice('session:'.length),
                token: lease.token,
                leaseAgeMs: lease.ageMs,
                expiresInMs: lease.expiresInMs,
              }))
          : this.ownership.held().map((sessionId) => ({
              sessionId,
              token: 0,
              leaseAgeMs: 0,
              expiresInMs: 0,
            })),
        jobs: leases
          .filter((lease) => lease.nodeId === node.nodeId && lease.name.startsWith('job:'))
          .map((lease) => lease.name.slice('job:'.length)),
      })),
    });
  }
}
