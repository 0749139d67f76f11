/** Deterministic fake data: the same index always gives the same name or subject. */

const FIRST_NAMES = [
  'Alice',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Luca',
  'Maya',
  'Nikolai',
  'Olivia',
  'Pedro',
  'Quinn',
  'Rosa',
  'Samir',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Amara',
  'Bilal',
  'Carmen',
  'Dario',
];

const LAST_NAMES = [
  'Silva',
  'Okafor',
  'Novak',
  'Tanaka',
  'Haddad',
  'Moreau',
  'Kowalski',
  'Nguyen',
  'Costa',
  'Berg',
  'Adeyemi',
  'Rossi',
  'Larsen',
  'Ivanova',
  'Santos',
  'Fischer',
  'Khan',
  'Murphy',
  'Lopez',
  'Sato',
];

const GROUP_TOPICS = [
  'Family',
  'Football Club',
  'Book Club',
  'Project Apollo',
  'Neighbours',
  'Weekend Hikers',
  'Support Team',
  'Class of 2012',
  'Flat Share',
  'Sales EMEA',
  'Choir',
  'Road Trip',
];

const COMBINATIONS = FIRST_NAMES.length * LAST_NAMES.length;

export function contactName(index: number): string {
  const first = FIRST_NAMES[index % FIRST_NAMES.length];
  const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length];
  const round = Math.floor(index / COMBINATIONS);
  return round === 0 ? `${first} ${last}` : `${first} ${last} ${round + 1}`;
}

export function groupSubject(index: number): string {
  return `${GROUP_TOPICS[index % GROUP_TOPICS.length]} ${index + 1}`;
}

export function accountName(index: number): string {
  return `Sim Account ${index}`;
}

/** Digits only: `+49 151-234` → `49151234`; also accepts JIDs. */
export function normalizePhone(input: string): string {
  const user = input.split('@')[0].split(':')[0];
  const digits = user.replace(/[^0-9]/g, '');
  if (digits.length < 5 || digits.length > 20) {
    throw new Error(`not a phone number: "${input}"`);
  }
  return digits;
}
