import { Transform, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, Max, Min, ValidationError, validateSync } from 'class-validator';

/** Log levels of pino (the gateway's) and of Baileys' logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `@Transform` helpers for environment strings. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
export const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;
export const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `true`/`1` as a boolean (the schemas accept true, false, 1 and 0). */
export function isTrue(value: string): boolean {
  return value === 'true' || value === '1';
}

/** A comma-separated list, trimmed, without empty items. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A whole-number variable from at least `min` (and at most `max`). Its message names the unit
 * and what a special value means: "must be a whole number of milliseconds (0 turns pacing off)".
 */
export function WholeNumber(options: {
  min: number;
  max?: number;
  unit?: string;
  note?: string;
}): PropertyDecorator {
  const unit = options.unit ? ` of ${options.unit}` : '';
  const note = options.note ? ` (${options.note})` : '';
  const checks = [
    Transform(toInt),
    IsInt({ message: `must be a whole number${unit}${note}` }),
    Min(options.min),
    ...(options.max === undefined ? [] : [Max(options.max)]),
  ];
  return (target, property) => checks.forEach((check) => check(target, property));
}

/** A true/false variable (also 1/0); read it with `isTrue`. */
export function Flag(): PropertyDecorator {
  const checks = [
    Transform(trimmed),
    IsIn(['true', 'false', '1', '0'], { message: 'must be true or false' }),
  ];
  return (target, property) => checks.forEach((check) => check(target, property));
}

/** What every section may build on: settings of the process as a whole. */
export interface CoreSettings {
  /** DATA_DIR, absolute. */
  dataDir: string;
}

/**
 * One module's part of the configuration: the environment variables it reads (a class-validator
 * schema with their defaults) and how they become its typed settings. The module defines and
 * validates it; `AppConfig` only assembles the sections.
 */
export interface ConfigSection<T> {
  readonly schema: new () => object;
  build(env: object, core: CoreSettings): T;
}

export function configSection<S extends object, T>(
  schema: new () => S,
  build: (env: S, core: CoreSettings) => T,
): ConfigSection<T> {
  return { schema, build: (env, core) => build(env as S, core) };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates `env` against `schema`: the typed values, or one problem per bad variable. */
export function validateSchema<S extends object>(
  schema: new () => S,
  env: Record<string, string | undefined>,
): { values: S; problems: string[] } {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined),
  );
  const values = plainToInstance(schema, defined, { exposeDefaultValues: true });
  const errors = validateSync(values, { whitelist: false, forbidUnknownValues: false });
  return { values, problems: errors.map((error) => describe(error, env)) };
}

function describe(error: ValidationError, env: Record<string, string | undefined>): string {
  // A value of the wrong kind fails several constraints; the type one explains it best
  const constraints = error.constraints ?? {};
  const typeCheck = ['isInt', 'isString', 'isIn', 'matches'].find((name) => name in constraints);
  const reasons = typeCheck ? [constraints[typeCheck]] : Object.values(constraints);
  const raw = env[error.property];
  const secret = /PASSWORD|SECRET/.test(error.property) || error.property === 'API_KEY';
  const shown = secret ? '***' : raw;
  const reason = reasons[0]?.replace(new RegExp(`^${error.property}\\s+`), '') ?? 'is invalid';
  return `${error.property} ${reason}${raw === undefined ? '' : ` (got "${shown}")`}`;
}
