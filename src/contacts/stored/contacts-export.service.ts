import { Injectable, StreamableFile } from '@nestjs/common';
import type { StoredContactsQueryDto } from '../dto/contacts-query.dto';
import { EXPORT_CONTENT_TYPES as TYPES } from '../../common/http/table-export';
import { csvStream, xlsxStream } from './contacts-export';
import { StoredContactsService } from './stored-contacts.service';

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
