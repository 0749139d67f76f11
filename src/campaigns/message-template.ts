/**
 * Campaign templates: `{{variable}}` (with an inline default, `{{name|there}}`) and spintax
 * (`{Hi|Hello}`, nestable), so not every message of a campaign is byte-equal.
 */

const VARIABLE = /\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|([^}]*))?\}\}/g;
// eslint-disable-next-line no-control-regex -- NUL marks a variable's slot while spintax is chosen
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

export interface TemplateVariable {
  name: string;
  inlineDefault: string | undefined;
}

/** The variables a template names, in order of appearance. */
export function variablesOf(template: string): TemplateVariable[] {
  return [...template.matchAll(VARIABLE)].map((match) => ({
    name: match[1].toLowerCase(),
    inlineDefault: match[2],
  }));
}

/** Resolves nested `{a|b}` choices with `random` (0 <= r < 1). Unbalanced braces stay as text. */
export function spin(text: string, random: () => number = Math.random): string {
  let result = text;
  // innermost groups first: a group without braces inside it
  const innermost = /\{([^{}]*)\}/;
  for (let guard = 0; guard < 10_000; guard++) {
    const match = innermost.exec(result);
    if (!match) {
      break;
    }
    const options = match[1].split('|');
    const choice = options[Math.floor(random() * options.length)] ?? '';
    // a group without `|` is literal text: keep its braces, out of the way of the next search
    const replacement = options.length > 1 ? choice : `\u0001${match[1]}\u0002`;
    result =
      result.slice(0, match.index) + replacement + result.slice(match.index + match[0].length);
  }
  return result.split('\u0001').join('{').split('\u0002').join('}');
}

/** Checks a template against the variables recipients can have: the unknown ones, if any. */
export function unknownVariables(template: string, known: ReadonlySet<string>): string[] {
  return [
    ...new Set(
      variablesOf(template)
        .filter((variable) => variable.inlineDefault === undefined && !known.has(variable.name))
        .map((variable) => variable.name),
    ),
  ];
}

/**
 * The text one recipient gets: spintax chosen first (so a variable's value is never read as
 * spintax), then each variable filled with the recipient's value, its inline default, the
 * campaign's default, or nothing.
 */
export function renderTemplate(
  template: string,
  values: Record<string, string | null | undefined>,
  defaults: Record<string, string> = {},
  random: () => number = Math.random,
): string {
  const slots: string[] = [];
  const masked = template.replace(VARIABLE, (_all, name: string, inline: string | undefined) => {
    const key = name.toLowerCase();
    const value = values[key]?.trim();
    slots.push(value ? value : (inline ?? defaults[key] ?? ''));
    return `\u0000${slots.length - 1}\u0000`;
  });
  return spin(masked, random).replace(PLACEHOLDER, (_all, index: string) => slots[Number(index)]);
}
