import { MalformedWebhookEvent } from '../webhook-errors';

/** Readers for the fields of an ingested 003 event: each says which field is wrong and why. */
export type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(parent: Fields, key: string, path: string): Fields {
  const value = parent[key];
  if (!isObject(value)) {
    throw new MalformedWebhookEvent(`${path}.${key} must be an object`);
  }
  return value;
}

export function stringAt(parent: Fields, key: string, path: string): string {
  const value = parent[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new MalformedWebhookEvent(`${path}.${key} must be a non-empty string`);
  }
  return value;
}

export function optionalString(parent: Fields, key: string, path: string): string | null {
  const value = parent[key];
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (typeof value !== 'string') {
    throw new MalformedWebhookEvent(`${path}.${key} must be a string`);
  }
  return value;
}

export function optionalBoolean(parent: Fields, key: string, path: string): boolean | null {
  const value = parent[key];
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'boolean') {
    throw new MalformedWebhookEvent(`${path}.${key} must be true or false`);
  }
  return value;
}

/** A 003 timestamp (`2025-08-14T14:55:01+07:00`): an ISO 8601 date-time with an offset, as a UTC Date. */
export function timestampAt(parent: Fields, key: string, path: string): Date {
  const value = stringAt(parent, key, path);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(value)) {
    throw new MalformedWebhookEvent(
      `${path}.${key} must be an ISO 8601 date-time with an offset, e.g. 2025-08-14T14:55:01+07:00`,
    );
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new MalformedWebhookEvent(`${path}.${key} is not a valid date-time`);
  }
  return new Date(ms);
}

export function optionalTimestamp(parent: Fields, key: string, path: string): Date | null {
  return parent[key] === undefined || parent[key] === null || parent[key] === ''
    ? null
    : timestampAt(parent, key, path);
}

/** The digits of a user JID (`6281233784490:24@s.whatsapp.net` → `6281233784490`); null otherwise. */
export function phoneOfJid(jid: string): string | null {
  const match = /^(\d{5,20})(:\d+)?@s\.whatsapp\.net$/.exec(jid);
  return match ? match[1] : null;
}

/** A device JID without its device part (`628...:24@s.whatsapp.net` → `628...@s.whatsapp.net`). */
export function bareJid(jid: string): string {
  return jid.replace(/:\d+@/, '@');
}
