import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { CONTACT_VIEW_COLUMNS, type StoredContactView } from '../dto/contact-views';

type Batches = AsyncIterable<StoredContactView[]>;

const cell = (value: StoredContactView[keyof StoredContactView]): string | number | boolean =>
  value === null ? '' : value;

/** Runs `pump` in the background; a failure ends `stream` with that error. */
function feed(stream: Readable, pump: () => Promise<void>): Readable {
  pump().catch((error: unknown) =>
    stream.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return stream;
}

/** CSV with a header row, read batch by batch as the client takes it (back-pressure). */
export function csvStream(batches: Batches): Readable {
  const csv = stringify({
    header: true,
    columns: CONTACT_VIEW_COLUMNS,
    bom: true,
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  });
  return feed(csv, async () => {
    for await (const rows of batches) {
      for (const row of rows) {
        if (!csv.write(CONTACT_VIEW_COLUMNS.map((column) => cell(row[column])))) {
          await once(csv, 'drain');
        }
      }
    }
    csv.end();
  });
}

/** XLSX through exceljs' streaming writer: each row is committed (written out) as it comes. */
export function xlsxStream(batches: Batches): Readable {
  const output = new PassThrough();
  return feed(output, async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output,
      useSharedStrings: false,
      useStyles: false,
    });
    const sheet = workbook.addWorksheet('contacts');
    sheet.addRow(CONTACT_VIEW_COLUMNS).commit();
    for await (const rows of batches) {
      for (const row of rows) {
        sheet.addRow(CONTACT_VIEW_COLUMNS.map((column) => cell(row[column]))).commit();
      }
      if (output.writableNeedDrain) {
        await once(output, 'drain');
      }
    }
    sheet.commit();
    await workbook.commit();
  });
}
