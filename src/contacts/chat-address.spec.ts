import { addressOfContact } from './chat-address';

describe('addressOfContact', () => {
  const row = (contactId: string, phoneNumber: string | null, type: 'individual' | 'group') => ({
    contactId,
    phoneNumber,
    type,
    name: 'Kemi',
    groupName: null,
  });

  it('addresses a person by number, with the JID left to the WhatsApp check', () => {
    expect(addressOfContact(row('6281234567890@s.whatsapp.net', null, 'individual'))).toEqual({
      address: '6281234567890',
      jid: null,
      name: 'Kemi',
    });
  });

  it('addresses a person stored by LID by its number when known, and sends to the LID', () => {
    // the number is what opt-outs and de-duplication compare
    expect(addressOfContact(row('123456789012345@lid', '6281234567890', 'individual'))).toEqual({
      address: '6281234567890',
      jid: '123456789012345@lid',
      name: 'Kemi',
    });
    expect(addressOfContact(row('123456789012345@lid', null, 'individual'))).toEqual({
      address: '123456789012345@lid',
      jid: '123456789012345@lid',
      name: 'Kemi',
    });
  });

  it('addresses a group by its JID', () => {
    expect(addressOfContact(row('120363000000000001@g.us', null, 'group'))).toEqual({
      address: '120363000000000001@g.us',
      jid: '120363000000000001@g.us',
      name: 'Kemi',
    });
  });
});
