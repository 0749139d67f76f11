import { AuthenticationCreds, jidDecode } from '@whiskeysockets/baileys';
import type { AccountInfo } from '../session-events';

/** Whether these creds belong to a device that completed pairing. */
export function isPaired(creds: AuthenticationCreds): boolean {
  return Boolean(creds.account && creds.me?.id);
}

/** The linked account as known from the creds, once paired. */
export function accountFromCreds(creds: AuthenticationCreds): AccountInfo | null {
  const me = creds.me;
  if (!me?.id) {
    return null;
  }
  const phoneNumber = jidDecode(me.id)?.user ?? me.id.split(/[:@]/)[0];
  const name = me.name && me.name !== '~' ? me.name : (me.notify ?? me.verifiedName ?? null);
  return {
    phoneNumber,
    name: name ?? null,
    jid: me.id,
    lid: me.lid ?? null,
    platform: creds.platform ?? null,
  };
}
