import { Body, Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RequirePermission } from '../access/permissions';
import { isForwardedHop } from '../cluster/hop';
import { Envelope, ok } from '../common/http/envelope';
import { SessionsGateway, type Ack } from './sessions.gateway';
import { isOwnerEvent, type ForwardedEvent, type ForwardedReply } from './socket-forwarding';

/**
 * Cluster-internal: a socket.io event another process forwarded to this one, the owner of its
 * session. Only a request signed as a hop by a process of the cluster gets here (else 404); the
 * client's own key is authenticated again and the event runs as if the client were connected here.
 */
@ApiExcludeController()
@SkipThrottle()
@RequirePermission('admin')
@Controller('cluster/socket-events')
export class SocketEventsController {
  constructor(private readonly gateway: SessionsGateway) {}

  @Post(':event')
  @HttpCode(200)
  async run(
    @Param('event') event: string,
    @Body() body: unknown,
  ): Promise<Envelope<ForwardedReply<Ack>>> {
    if (!isForwardedHop() || !isOwnerEvent(event)) {
      throw new NotFoundException('Not found');
    }
    return ok('Event carried out', await this.gateway.runForwarded(event, body as ForwardedEvent));
  }
}
