import { createHash } from 'node:crypto';

/**
 * A profile picture URL shaped like WhatsApp's CDN ones: a media path plus signed, expiring query
 * parameters (`oh` signature, `oe` hex expiry), about 300-400 characters, so clients that keep
 * them in VARCHAR(255) break here as they would in production. Deterministic per JID and hour.
 */
export function pictureUrl(base: string, jid: string, now = Date.now()): string {
  const expiry = Math.floor(now / 3_600_000) * 3600 + 14 * 86_400;
  const digest = (salt: string): string =>
    createHash('sha256').update(`${salt}|${jid}|${expiry}`).digest('base64url');
  const id = BigInt(`0x${createHash('sha1').update(jid).digest('hex').slice(0, 15)}`).toString();
  const path = `${base}/v/t61.24694-24/${id}_${expiry}_${digest('n').slice(0, 18)}_n.jpg`;
  const query = [
    `ccb=11-4`,
    `oh=01_Q5Aa${digest('oh')}${digest('oh2').slice(0, 44)}`,
    `oe=${expiry.toString(16).toUpperCase()}`,
    `_nc_sid=5e03e0`,
    `_nc_cat=${(expiry % 97) + 100}`,
    `jid=${encodeURIComponent(jid)}`,
  ];
  return `${path}?${query.join('&')}`;
}
