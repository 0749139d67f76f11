import { QueryFailedError } from 'typeorm';
import { rowRefusal } from './driver-errors';

describe('rowRefusal', () => {
  it('names a refused row, from the driver error or TypeORM wrapping it', () => {
    const tooLong = Object.assign(new Error("Data too long for column 'message_id' at row 1"), {
      code: 'ER_DATA_TOO_LONG',
    });
    expect(rowRefusal(tooLong)).toBe('ER_DATA_TOO_LONG');
    expect(rowRefusal(new QueryFailedError('INSERT ...', [], tooLong))).toBe('ER_DATA_TOO_LONG');
    expect(rowRefusal({ code: 'SQLITE_CONSTRAINT_NOTNULL' })).toBe('SQLITE_CONSTRAINT_NOTNULL');
  });

  it('is undefined for what a later write may get through: a lost connection, a lock, a duplicate', () => {
    for (const code of [
      'ECONNREFUSED',
      'PROTOCOL_CONNECTION_LOST',
      'ER_LOCK_DEADLOCK',
      'ER_DUP_ENTRY',
    ]) {
      expect(rowRefusal(Object.assign(new Error(code), { code }))).toBeUndefined();
    }
    expect(rowRefusal(new Error('no code'))).toBeUndefined();
    expect(rowRefusal(undefined)).toBeUndefined();
  });
});
