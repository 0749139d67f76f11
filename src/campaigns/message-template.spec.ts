import { renderTemplate, spin, unknownVariables, variablesOf } from './message-template';

const sequence = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length];
};

describe('campaign templates', () => {
  it('fills variables from the recipient, an inline default, then the campaign default', () => {
    const template = 'Halo {{name}}, kode {{ Code }} {{city|Jakarta}} {{promo}}';
    expect(renderTemplate(template, { name: 'Budi', code: 'A1' }, { promo: 'X' })).toBe(
      'Halo Budi, kode A1 Jakarta X',
    );
    expect(renderTemplate(template, { name: '  ', code: '' }, { name: 'Kak' })).toBe(
      'Halo Kak, kode  Jakarta ',
    );
  });

  it('chooses one option of each spintax group, nested ones too', () => {
    expect(spin('{Hi|Hello} there', sequence(0))).toBe('Hi there');
    expect(spin('{Hi|Hello} there', sequence(0.99))).toBe('Hello there');
    expect(spin('{a|{b|c}}!', sequence(0.99, 0))).toBe('a!');
    expect(spin('{a|{b|c}}!', sequence(0.99, 0.99))).toBe('c!');
    // braces without options are text
    expect(spin('{literal} and {', sequence(0))).toBe('{literal} and {');
  });

  it('never reads a variable value as spintax', () => {
    expect(renderTemplate('{Hi|Hey} {{name}}', { name: '{x|y}' }, {}, sequence(0))).toBe(
      'Hi {x|y}',
    );
  });

  it('names unknown variables (those without an inline default)', () => {
    const known = new Set(['name', 'phone']);
    expect(unknownVariables('{{name}} {{voucher}} {{city|-}} {{Voucher}}', known)).toEqual([
      'voucher',
    ]);
    expect(variablesOf('{{a}}{{b|c}}')).toEqual([
      { name: 'a', inlineDefault: undefined },
      { name: 'b', inlineDefault: 'c' },
    ]);
  });
});
