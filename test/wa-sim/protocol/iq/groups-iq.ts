import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimGroup } from '../../model/group';
import { node } from '../binary-nodes';
import { handleGroupChange } from './group-admin-iq';
import type { IqHandler } from './iq-request';

/**
 * `xmlns="w:g2"`: all groups the account participates in, one group's metadata, and the changes
 * in group-admin-iq.ts.
 */
export const handleGroupsIq: IqHandler = (request) => {
  const { device, iq, first, respond, fail } = request;
  if (!device) {
    return false;
  }
  const account = device.account;
  if (iq.attrs.type === 'set' || first?.tag === 'invite') {
    return handleGroupChange(request, account);
  }
  switch (first?.tag) {
    case 'participating':
      respond([
        node(
          'groups',
          {},
          account.groups.filter((group) => group.has(account.user)).map(groupNode),
        ),
      ]);
      return true;
    case 'query': {
      const group = account.groups.find((candidate) => candidate.id === iq.attrs.to);
      if (!group) {
        fail(404, 'item-not-found');
      } else if (!group.has(account.user)) {
        fail(403, 'forbidden');
      } else {
        respond([groupNode(group)]);
      }
      return true;
    }
    default:
      return false;
  }
};

export function groupNode(group: SimGroup): BinaryNode {
  const owner = group.owner;
  const created = String(group.creation);
  return node(
    'group',
    {
      id: group.id.split('@')[0],
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: group.subjectOwner.jid,
      creation: created,
      creator: owner.jid,
      size: String(group.participants.length),
      addressing_mode: 'pn',
    },
    [
      ...group.participants.map(({ user, role }) =>
        node('participant', { jid: user.jid, lid: user.lidJid, type: role ?? undefined }),
      ),
      ...(group.description
        ? [
            node(
              'description',
              {
                id: group.descriptionId ?? `${group.id.split('@')[0]}D`,
                t: created,
                participant: owner.jid,
              },
              [node('body', {}, group.description)],
            ),
          ]
        : []),
    ],
  );
}
