import type { IncomingMessage } from 'node:http';
import type { SendOptions } from '../account-handle';
import type { LinkOptions } from '../simulator';

/** JSON request bodies of the control API, and their validation. */

const MAX_BODY_BYTES = 1024 * 1024;

export type Body = Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJson(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, 'body too large');
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return parsed as Body;
}

export function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (typeof value === 'number') {
    return String(value);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new HttpError(400, `"${name}" is required (a string)`);
  }
  return value;
}

export function optionalString(body: Body, name: string): string | undefined {
  return body[name] === undefined ? undefined : requiredString(body, name);
}

export function stringList(body: Body, name: string): string[] {
  const value = body[name];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => typeof item === 'string')
  ) {
    throw new HttpError(400, `"${name}" is required (an array of strings)`);
  }
  return value;
}

export function optionalList(body: Body, name: string): string[] | undefined {
  return body[name] === undefined ? undefined : stringList(body, name);
}

export function requiredNumber(body: Body, name: string): number {
  const raw = body[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new HttpError(400, `"${name}" is required (a number)`);
  }
  return value;
}

export function optionalNumber(body: Body, name: string): number | undefined {
  return body[name] === undefined ? undefined : requiredNumber(body, name);
}

export function linkOptions(body: Body): LinkOptions {
  const historySync = body.historySync;
  if (historySync !== undefined && typeof historySync !== 'boolean') {
    throw new HttpError(400, '"historySync" must be a boolean');
  }
  return {
    phone: optionalString(body, 'phone'),
    name: optionalString(body, 'name'),
    platform: optionalString(body, 'platform'),
    contacts: optionalNumber(body, 'contacts'),
    groups: optionalNumber(body, 'groups'),
    participantsPerGroup: optionalNumber(body, 'participantsPerGroup'),
    historySync,
  };
}

export function sendOptions(body: Body): SendOptions {
  const addressing = optionalString(body, 'addressing');
  if (addressing !== undefined && addressing !== 'pn' && addressing !== 'lid') {
    throw new HttpError(400, '"addressing" must be "pn" or "lid"');
  }
  return { group: optionalString(body, 'group'), id: optionalString(body, 'id'), addressing };
}
