import { node } from '../binary-nodes';
import type { IqHandler } from './iq-request';

/**
 * `w:m` `media_conn`: where to upload media and the token to do it with (Baileys'
 * `refreshMediaConn`). The host is the simulator's HTTPS media host, `127.0.0.1:<port>`.
 */
export const handleMediaIq: IqHandler = ({ sim, first, device, respond, fail }) => {
  if (first?.tag !== 'media_conn') {
    return false;
  }
  if (!device) {
    fail(401, 'not-authorized');
    return true;
  }
  const { media } = sim;
  respond([
    node('media_conn', { auth: media.auth, ttl: String(media.ttlSeconds), max_buckets: '12' }, [
      node('host', { hostname: media.hostname, maxContentLengthBytes: String(64 * 1024 * 1024) }),
    ]),
  ]);
  return true;
};
