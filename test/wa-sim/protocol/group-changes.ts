import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Account } from '../model/account';
import type { SimGroup } from '../model/group';
import type { SimUser } from '../model/sim-user';
import { node, nowSeconds } from './binary-nodes';
import { newMessageId } from './context';
import { sendToOnlineDevices } from './delivery';

export type MemberAction = 'add' | 'remove' | 'promote' | 'demote';

export interface MemberResult {
  jid: string;
  /** WhatsApp's per-participant error code: 404 unknown or not a member, 409 already a member. */
  error?: string;
}

/** Applies a member change; returns one result per requested JID and the users changed. */
export function changeMembers(
  group: SimGroup,
  action: MemberAction,
  requested: Array<{ jid: string; user?: SimUser }>,
): { results: MemberResult[]; changed: SimUser[] } {
  const results: MemberResult[] = [];
  const changed: SimUser[] = [];
  for (const { jid, user } of requested) {
    const index = user ? group.participants.findIndex((p) => p.user === user) : -1;
    let error: string | undefined;
    if (!user) {
      error = '404';
    } else if (action === 'add') {
      if (index >= 0) {
        error = '409';
      } else {
        group.participants.push({ user, role: null });
      }
    } else if (index < 0) {
      error = '404';
    } else if (action === 'remove') {
      group.participants.splice(index, 1);
    } else {
      group.participants[index].role = action === 'promote' ? 'admin' : null;
    }
    results.push({ jid, error });
    if (user && !error) {
      changed.push(user);
    }
  }
  return { results, changed };
}

export function setSubject(group: SimGroup, subject: string, actor: SimUser): BinaryNode {
  group.subject = subject;
  group.subjectTime = nowSeconds();
  group.subjectOwner = actor;
  return node('subject', { subject, s_o: actor.jid, s_t: String(group.subjectTime) });
}

export function setDescription(
  group: SimGroup,
  description: string | undefined,
  id: string,
): BinaryNode {
  group.description = description;
  group.descriptionId = description === undefined ? undefined : id;
  return node(
    'description',
    { id },
    description === undefined ? [node('delete')] : [node('body', {}, description)],
  );
}

export const membersNode = (action: MemberAction, users: SimUser[]): BinaryNode =>
  node(
    action,
    {},
    users.map((user) => node('participant', { jid: user.jid, lid: user.lidJid })),
  );

/** The `w:gp2` notification WhatsApp sends a member's devices after a group change. */
export function notifyGroupChange(
  account: Account,
  group: SimGroup,
  actor: SimUser,
  change: BinaryNode,
): void {
  sendToOnlineDevices(
    account,
    node(
      'notification',
      {
        from: group.id,
        type: 'w:gp2',
        id: newMessageId(),
        t: String(nowSeconds()),
        participant: actor.jid,
      },
      [change],
    ),
  );
}
