import { randomBytes } from 'node:crypto';
import type { Account } from '../../model/account';
import type { SimUser } from '../../model/sim-user';
import { child, children, contentString, node } from '../binary-nodes';
import {
  changeMembers,
  membersNode,
  notifyGroupChange,
  setDescription,
  setSubject,
  type MemberAction,
} from '../group-changes';
import { groupNode } from './groups-iq';
import type { IqRequest } from './iq-request';

const MEMBER_ACTIONS = new Set<string>(['add', 'remove', 'promote', 'demote']);
const SIMULATED = new Set<string>(['subject', 'description', 'invite', ...MEMBER_ACTIONS]);

/**
 * Group changes made by the linked client (`xmlns="w:g2"`, type set, and invite codes): create,
 * leave, subject, description, add/remove/promote/demote. Each is applied to the simulated group
 * and announced back with the `w:gp2` notification WhatsApp sends, so Baileys emits its group
 * events. Only admins may change members. Returns false for changes not simulated.
 */
export function handleGroupChange(request: IqRequest, account: Account): boolean {
  const { sim, iq, first, respond, fail } = request;
  if (!first) {
    return false;
  }
  const me = account.user;
  if (first.tag === 'create') {
    const members = children(first, 'participant')
      .map((participant) => sim.directory.userByJid(participant.attrs.jid ?? ''))
      .filter((user): user is SimUser => !!user && user !== me);
    const group = sim.directory.createGroup(first.attrs.subject ?? 'New group', [
      { user: me, role: 'superadmin' },
      ...members.map((user) => ({ user, role: null })),
    ]);
    account.groups.push(group);
    respond([groupNode(group)]);
    notifyGroupChange(account, group, me, node('create', {}, [groupNode(group)]));
    return true;
  }
  if (first.tag === 'leave') {
    const group = account.groups.find(
      (candidate) => candidate.id === child(first, 'group')?.attrs.id,
    );
    if (!group?.has(me)) {
      fail(404, 'item-not-found');
      return true;
    }
    changeMembers(group, 'remove', [{ jid: me.jid, user: me }]);
    respond();
    notifyGroupChange(account, group, me, membersNode('remove', [me]));
    return true;
  }
  if (!SIMULATED.has(first.tag)) {
    return false;
  }
  const group = account.groups.find((candidate) => candidate.id === iq.attrs.to);
  if (!group?.has(me)) {
    fail(group ? 403 : 404, group ? 'forbidden' : 'item-not-found');
    return true;
  }
  switch (first.tag) {
    case 'invite':
      if (iq.attrs.type === 'set') {
        group.inviteCode = randomBytes(16).toString('base64url').slice(0, 22);
      }
      respond([node('invite', { code: group.inviteCode })]);
      return true;
    case 'subject':
      respond();
      notifyGroupChange(
        account,
        group,
        me,
        setSubject(group, contentString(first) ?? group.subject, me),
      );
      return true;
    case 'description': {
      const text =
        first.attrs.delete === 'true' ? undefined : (contentString(child(first, 'body')) ?? '');
      respond();
      notifyGroupChange(account, group, me, setDescription(group, text, first.attrs.id ?? 'D'));
      return true;
    }
    default: {
      if (!group.isAdmin(me)) {
        fail(401, 'not-authorized');
        return true;
      }
      const action = first.tag as MemberAction;
      const requested = children(first, 'participant').map(({ attrs }) => ({
        jid: attrs.jid ?? '',
        user: sim.directory.userByJid(attrs.jid ?? ''),
      }));
      const { results, changed } = changeMembers(group, action, requested);
      respond([
        node(
          action,
          {},
          results.map(({ jid, error }) => node('participant', { jid, error })),
        ),
      ]);
      if (changed.length) {
        notifyGroupChange(account, group, me, membersNode(action, changed));
      }
      return true;
    }
  }
}
