import { dedupe, type PlannedRecipient } from './recipient-sources';

const recipient = (
  address: string,
  name: string | null,
  variables: Record<string, string> | null = null,
): PlannedRecipient => ({ address, jid: null, name, variables });

describe('dedupe', () => {
  it('keeps the first recipient of each address, in order', () => {
    expect(
      dedupe([
        recipient('111', 'Ann', { code: 'A' }),
        recipient('222', 'Bob'),
        recipient('111', 'Ann again', { code: 'B' }),
      ]),
    ).toEqual([recipient('111', 'Ann', { code: 'A' }), recipient('222', 'Bob')]);
  });

  it('gives a first occurrence without a name the first name a later one has', () => {
    expect(
      dedupe([
        recipient('111', null, { code: 'A' }),
        recipient('111', 'Ann'),
        recipient('111', 'Annie'),
      ]),
    ).toEqual([recipient('111', 'Ann', { code: 'A' })]);
  });
});
