import type { GroupInfo } from '../index';
import { linkClient, type LinkedClient } from '../testing/link-client';
import { useSimulator } from '../testing/sim-fixture';

describe('WhatsApp Web simulator: group changes', () => {
  const fixture = useSimulator();
  let session: LinkedClient;
  let owned: GroupInfo;
  let joined: GroupInfo;

  beforeAll(async () => {
    session = await linkClient(
      fixture.sim,
      { contacts: 8, groups: 2, participantsPerGroup: 4 },
      { syncHistory: false },
    );
    fixture.track(session.client);
    [owned, joined] = session.linked.groups;
  });

  it('changes the subject and description of a group (groups.update)', async () => {
    const { sock } = session.client;
    const renamed = session.client.waitForEvent('groups.update', (updates) =>
      updates.some((update) => update.id === owned.id && update.subject === 'Renamed'),
    );
    await sock.groupUpdateSubject(owned.id, 'Renamed');
    await renamed;
    const described = session.client.waitForEvent('groups.update', (updates) =>
      updates.some((update) => update.id === owned.id && update.desc === 'About us'),
    );
    await sock.groupUpdateDescription(owned.id, 'About us');
    await described;
    expect(await sock.groupMetadata(owned.id)).toMatchObject({
      subject: 'Renamed',
      desc: 'About us',
    });
  });

  it('adds, promotes and removes members as an admin (group-participants.update)', async () => {
    const { sock } = session.client;
    const outsider = session.linked.contacts.find(
      (contact) => !owned.participants.some((participant) => participant.pn === contact.pn),
    )!;
    const added = session.client.waitForEvent(
      'group-participants.update',
      (update) => update.action === 'add',
    );
    expect(await sock.groupParticipantsUpdate(owned.id, [outsider.jid], 'add')).toEqual([
      expect.objectContaining({ jid: outsider.jid, status: '200' }),
    ]);
    expect((await added).participants[0]).toMatchObject({ id: outsider.jid });
    expect(await sock.groupParticipantsUpdate(owned.id, [outsider.jid], 'add')).toEqual([
      expect.objectContaining({ status: '409' }),
    ]);
    const promoted = session.client.waitForEvent(
      'group-participants.update',
      (update) => update.action === 'promote',
    );
    await sock.groupParticipantsUpdate(owned.id, [outsider.jid], 'promote');
    await promoted;
    const metadata = await sock.groupMetadata(owned.id);
    expect(
      metadata.participants.find((participant) => participant.id === outsider.jid)?.admin,
    ).toBe('admin');
    const removed = session.client.waitForEvent(
      'group-participants.update',
      (update) => update.action === 'remove',
    );
    await sock.groupParticipantsUpdate(owned.id, [outsider.jid], 'remove');
    await removed;
  });

  it('refuses member changes where the account is not an admin', async () => {
    expect(joined.accountRole).toBeNull();
    await expect(
      session.client.sock.groupParticipantsUpdate(
        joined.id,
        [session.linked.contacts[7].jid],
        'add',
      ),
    ).rejects.toThrow('not-authorized');
  });

  it('creates a group and leaves another', async () => {
    const { sock } = session.client;
    const created = await sock.groupCreate('Fresh', [
      session.linked.contacts[0].jid,
      session.linked.contacts[1].jid,
    ]);
    expect(created.participants).toHaveLength(3);
    const left = session.client.waitForEvent(
      'group-participants.update',
      (update) => update.id === joined.id,
    );
    await sock.groupLeave(joined.id);
    await left;
    const groups = await sock.groupFetchAllParticipating();
    expect(Object.keys(groups).sort()).toEqual([owned.id, created.id].sort());
  });

  it('reports changes made by other participants', async () => {
    const member = owned.participants.find(
      (participant) => participant.jid !== session.linked.jid,
    )!;
    const newcomer = session.linked.contacts[6];
    const renamed = session.client.waitForEvent('groups.update', (updates) =>
      updates.some((update) => update.subject === 'Their name' && update.author === member.jid),
    );
    const added = session.client.waitForEvent(
      'group-participants.update',
      (update) => update.action === 'add' && update.author === member.jid,
    );
    fixture.sim
      .account(session.linked.phone)
      .changeGroup(owned.id, { by: member.pn, subject: 'Their name', add: [newcomer.pn] });
    await renamed;
    expect((await added).participants[0]).toMatchObject({ id: newcomer.jid });
  });
});
