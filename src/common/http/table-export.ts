import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

type Cell = string | number | boolean | null;
type Batches<T> = AsyncIterable<T[]>;

const cell = (value: Cell): string | number | boolean => (value === null ? '' : value);

/** Runs `pump` in the background; a failure ends `stream` with that error. */
function feed(stream: Readable, pump: () => Promise<void>): Readable {
  pump().catch((error: unknown) =>
    stream.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return stream;
}

/** CSV with a header row, read batch by batch as the client takes it (back-pressure). */
export function csvStream<T extends { [K in keyof T]: Cell }>(
  batches: Batches<T>,
  columns: (keyof T & string)[],
): Readable {
  const csv = stringify({
    header: true,
    columns,
    bom: true,
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  });
  return feed(csv, async () => {
    for await (const rows of batches) {
      for (const row of rows) {
        if (!csv.write(columns.map((column) => cell(row[column])))) {
          await once(csv, 'drain');
        }
      }
    }
    csv.end();
  });
}

/** XLSX through exceljs' streaming writer: each row is committed (written out) as it comes. */
export function xlsxStream<T extends { [K in keyof T]: Cell }>(
  batches: Batches<T>,
  columns: (keyof T & string)[],
  sheetName: string,
): Readable {
  const output = new PassThrough();
  return feed(output, async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output,
      useSharedStrings: false,
      useStyles: false,
    });
    const sheet = workbook.addWorksheet(sheetName);
    sheet.addRow(columns).commit();
    for await (const rows of batches) {
      for (const row of rows) {
        sheet.addRow(columns.map((column) => cell(row[column]))).commit();
      }
      if (output.writableNeedDrain) {
        await once(output, 'drain');
      }
    }
    sheet.commit();
    await workbook.commit();
  });
}

export const EXPORT_CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
