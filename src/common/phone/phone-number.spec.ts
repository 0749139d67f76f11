import { normalizePhoneNumber } from './phone-number';

describe('normalizePhoneNumber', () => {
  it.each([
    ['6281234567890', '6281234567890'],
    ['+62 812-3456-7890', '6281234567890'],
    ['081234567890', '6281234567890'],
    ['(0812) 3456 7890', '6281234567890'],
    ['+1 (415) 555-2671', '14155552671'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizePhoneNumber(input, '62')).toBe(expected);
  });

  it('uses the configured country code for local numbers', () => {
    expect(normalizePhoneNumber('0612345678', '31')).toBe('31612345678');
  });

  it.each([
    '',
    'abc',
    '12345',
    '+62 812 3456 7890 1234 5',
    '6281234567890@s.whatsapp.net',
    '+0812345678',
  ])('rejects %p', (input) => {
    expect(normalizePhoneNumber(input, '62')).toBeNull();
  });
});
