import { Injectable } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { normalizePhoneNumber } from '../common/phone/phone-number';
import { AppConfig } from '../config/app-config';
import { BadCampaignRequest, CampaignTooLarge } from './campaign-errors';
import type { UploadedRecipients } from './campaign-planner.service';
import { MAX_CAMPAIGN_RECIPIENTS } from './dto/create-campaign.dto';
import { addressOf } from '../contacts/chat-address';
import type { PlannedRecipient } from './recipient-sources';

export interface UploadedFileLike {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

const PHONE_COLUMNS = [
  'phone',
  'phone_number',
  'phonenumber',
  'number',
  'nomor',
  'no_hp',
  'whatsapp',
  'to',
];
const NAME_COLUMNS = ['name', 'nama'];

/** A variable name from a column header: lower case, spaces as underscores. */
const columnName = (header: string): string => header.trim().toLowerCase().replace(/\s+/g, '_');

/**
 * Recipients from an uploaded CSV or XLSX: a header row with a phone column (`phone`, `number`,
 * `nomor`, ...), optionally `name`; every other column is a template variable. A bad file, a
 * missing phone column or a row whose number is not one is a 400 naming it.
 */
@Injectable()
export class RecipientUpload {
  constructor(private readonly config: AppConfig) {}

  async read(file: UploadedFileLike): Promise<UploadedRecipients> {
    const rows = this.isXlsx(file) ? await this.xlsxRows(file.buffer) : this.csvRows(file.buffer);
    if (rows.length === 0) {
      throw new BadCampaignRequest('file', 'the file has no header row');
    }
    const headers = rows[0].map(columnName);
    const phoneAt = headers.findIndex((header) => PHONE_COLUMNS.includes(header));
    if (phoneAt < 0) {
      throw new BadCampaignRequest(
        'file',
        `the file has no phone column (name one of: ${PHONE_COLUMNS.join(', ')})`,
      );
    }
    const nameAt = headers.findIndex((header) => NAME_COLUMNS.includes(header));
    if (rows.length - 1 > MAX_CAMPAIGN_RECIPIENTS) {
      throw new CampaignTooLarge(MAX_CAMPAIGN_RECIPIENTS);
    }
    const phoneOf = (value: string) => normalizePhoneNumber(value, this.config.defaultCountryCode);
    const recipients: PlannedRecipient[] = [];
    for (let index = 1; index < rows.length; index++) {
      const row = rows[index];
      if (row.every((value) => value.trim() === '')) {
        continue;
      }
      const address = addressOf(row[phoneAt] ?? '', phoneOf);
      if (!address) {
        throw new BadCampaignRequest(
          'file',
          `row ${index + 1}: "${(row[phoneAt] ?? '').slice(0, 64)}" is not a phone number`,
        );
      }
      const variables: Record<string, string> = {};
      headers.forEach((header, column) => {
        // the name column is also a variable under its own header (`nama`, ...)
        if (column !== phoneAt && header) {
          variables[header] = row[column] ?? '';
        }
      });
      recipients.push({
        ...address,
        name: nameAt >= 0 ? row[nameAt]?.trim() || null : null,
        variables,
      });
    }
    return {
      recipients,
      columns: headers.filter((header, column) => header && column !== phoneAt),
    };
  }

  private isXlsx(file: UploadedFileLike): boolean {
    // an XLSX is a zip: "PK\x03\x04"
    return (
      file.buffer.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ||
      /\.xlsx$/i.test(file.originalname ?? '')
    );
  }

  private csvRows(buffer: Buffer): string[][] {
    try {
      const rows: string[][] = parse(buffer, {
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
        delimiter: [',', ';', '\t'],
      });
      return rows;
    } catch (error) {
      const line =
        error instanceof CsvError ? (error as CsvError & { lines?: number }).lines : undefined;
      throw new BadCampaignRequest(
        'file',
        `the CSV could not be read${line ? ` (line ${line})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async xlsxRows(buffer: Buffer): Promise<string[][]> {
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    } catch (error) {
      throw new BadCampaignRequest(
        'file',
        `the XLSX could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) {
      throw new BadCampaignRequest('file', 'the XLSX has no worksheet');
    }
    const rows: string[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const values: string[] = [];
      for (let column = 1; column <= row.cellCount; column++) {
        values.push(row.getCell(column).text ?? '');
      }
      rows.push(values);
    });
    return rows;
  }
}
