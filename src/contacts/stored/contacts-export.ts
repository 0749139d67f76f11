import type { Readable } from 'node:stream';
import { csvStream as tableCsv, xlsxStream as tableXlsx } from '../../common/http/table-export';
import { CONTACT_VIEW_COLUMNS, type StoredContactView } from '../dto/contact-views';

type Batches = AsyncIterable<StoredContactView[]>;

/** Stored contacts as CSV with a header row, streamed. */
export function csvStream(batches: Batches): Readable {
  return tableCsv(batches, CONTACT_VIEW_COLUMNS);
}

/** Stored contacts as XLSX (one sheet, `contacts`), streamed. */
export function xlsxStream(batches: Batches): Readable {
  return tableXlsx(batches, CONTACT_VIEW_COLUMNS, 'contacts');
}
