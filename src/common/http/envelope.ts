import type { DomainError } from '../errors/domain-errors';

/** The success envelope of CONTRACT §4. */
export interface Envelope<T> {
  success: true;
  message: string;
  data: T;
}

/** A list documented with a `count` (seed 004). */
export interface CountedEnvelope<T> extends Envelope<T[]> {
  count: number;
}

export interface PageMeta {
  page: number;
  per_page: number;
  total: number;
  last_page: number;
}

export interface PagedEnvelope<T> extends Envelope<T[]> {
  meta: PageMeta;
}

export interface ErrorEnvelope {
  success: false;
  message: string;
  error?: string;
  errors?: { field: string; messages: string[] }[];
  error_id?: string;
}

export function ok<T>(message: string, data: T): Envelope<T> {
  return { success: true, message, data };
}

export function counted<T>(message: string, data: T[]): CountedEnvelope<T> {
  return { success: true, message, data, count: data.length };
}

export function paged<T>(message: string, data: T[], meta: PageMeta): PagedEnvelope<T> {
  return { success: true, message, data, meta };
}

/** The error envelope of a DomainError: its message, `error` (detail) and `errors` (fields). */
export function errorEnvelopeOf(error: DomainError): ErrorEnvelope {
  const body: ErrorEnvelope = { success: false, message: error.message };
  if (error.detail !== undefined) {
    body.error = error.detail;
  }
  if (error.fieldErrors) {
    body.errors = error.fieldErrors;
  }
  return body;
}
