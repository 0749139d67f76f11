import { Injectable, StreamableFile } from '@nestjs/common';
import type { StoredContactsQueryDto } from '../dto/contacts-query.dto';
import { csvStream, xlsxStream } from './contacts-export';
import { StoredContactsService } from './stored-contacts.service';

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** Downloads of the whole filtered set of stored contacts, streamed. */
@Injectable()
export class ContactsExportService {
  constructor(private readonly stored: StoredContactsService) {}

  file(sessionId: string, query: StoredContactsQueryDto, format: 'csv' | 'xlsx'): StreamableFile {
    const day = new Date().toISOString().slice(0, 10);
    const batches = this.stored.export(sessionId, query);
    const stream = format === 'csv' ? csvStream(batches) : xlsxStream(batches);
    return new StreamableFile(stream, {
      type: TYPES[format],
      disposition: `attachment; filename="contacts-${sessionId}-${day}.${format}"`,
    });
  }
}
