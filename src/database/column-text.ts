/**
 * `value` cut to `max` characters, what a VARCHAR(max) column holds (null stays null). For what
 * others choose freely (push names, file names, group subjects): a row the database refuses is
 * lost with its whole batch, and an inbound message that is not stored is never acknowledged.
 */
export function clipTo<T extends string | null | undefined>(value: T, max: number): T {
  return (typeof value === 'string' && value.length > max ? value.slice(0, max) : value) as T;
}
