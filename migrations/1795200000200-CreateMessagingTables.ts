import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { dateTimeColumn, engineOf, enumColumn, idColumn } from '../src/database/column-types';
import { ensureUtf8mb4 } from '../src/database/migration-helpers';

const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'poll',
  'edit',
  'revoke',
  'unknown',
];
const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'played', 'failed'];

/**
 * The message store (issue 8, seed 003): messages unique per (session, message id), their
 * delivery/read receipts, and the current typing state per chat participant.
 */
export class CreateMessagingTables1795200000200 implements MigrationInterface {
  name = 'CreateMessagingTables1795200000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner.connection.options.type);
    const longText = engine === 'mysql' ? 'mediumtext' : 'text';
    await queryRunner.createTable(
      new Table({
        name: 'whatsapp_messages',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'message_id', type: 'varchar', length: '128', isNullable: false },
          { name: 'chat_jid', type: 'varchar', length: '255', isNullable: false },
          { name: 'sender_jid', type: 'varchar', length: '255', isNullable: true },
          { name: 'sender_phone', type: 'varchar', length: '32', isNullable: true },
          { name: 'from_me', type: 'boolean', isNullable: false, default: 0 },
          { name: 'is_group', type: 'boolean', isNullable: false, default: 0 },
          { name: 'push_name', type: 'varchar', length: '255', isNullable: true },
          { ...enumColumn(engine, 'type', MESSAGE_TYPES, { default: 'text' }), isNullable: false },
          { name: 'text', type: 'text', isNullable: true },
          { name: 'quoted_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'target_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'mentions', type: 'text', isNullable: true },
          { name: 'media_mimetype', type: 'varchar', length: '255', isNullable: true },
          { name: 'media_file_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'media_file_length', type: 'bigint', isNullable: true },
          { name: 'media_seconds', type: 'int', isNullable: true },
          { name: 'media_ptt', type: 'boolean', isNullable: true },
          { name: 'media_download', type: 'text', isNullable: true },
          { name: 'content', type: longText, isNullable: true },
          {
            ...enumColumn(engine, 'status', MESSAGE_STATUSES, { default: 'sent' }),
            isNullable: false,
          },
          dateTimeColumn(engine, 'message_timestamp'),
          dateTimeColumn(engine, 'status_at', { nullable: true }),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [
          { name: 'uq_whatsapp_messages_message', columnNames: ['session_id', 'message_id'] },
        ],
        indices: [
          {
            name: 'idx_whatsapp_messages_chat',
            columnNames: ['session_id', 'chat_jid', 'message_timestamp'],
          },
          {
            name: 'idx_whatsapp_messages_time',
            columnNames: ['session_id', 'message_timestamp'],
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'whatsapp_message_statuses',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'message_id', type: 'varchar', length: '128', isNullable: false },
          { name: 'chat_jid', type: 'varchar', length: '255', isNullable: false },
          // '' when the receipt names nobody (1:1 chats): a unique key does not match NULLs
          {
            name: 'participant_jid',
            type: 'varchar',
            length: '255',
            isNullable: false,
            default: "''",
          },
          {
            ...enumColumn(engine, 'status', ['delivered', 'read'], { default: 'delivered' }),
            isNullable: false,
          },
          dateTimeColumn(engine, 'event_timestamp'),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
        ],
        uniques: [
          {
            name: 'uq_whatsapp_message_statuses_receipt',
            columnNames: ['session_id', 'message_id', 'participant_jid', 'status'],
          },
        ],
        indices: [
          {
            name: 'idx_whatsapp_message_statuses_time',
            columnNames: ['session_id', 'event_timestamp'],
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'whatsapp_chat_presences',
        columns: [
          idColumn(engine),
          { name: 'session_id', type: 'varchar', length: '100', isNullable: false },
          { name: 'chat_jid', type: 'varchar', length: '255', isNullable: false },
          { name: 'participant_jid', type: 'varchar', length: '255', isNullable: false },
          {
            ...enumColumn(
              engine,
              'state',
              ['composing', 'recording', 'paused', 'available', 'unavailable'],
              { default: 'paused' },
            ),
            isNullable: false,
          },
          { name: 'auto_stopped', type: 'boolean', isNullable: false, default: 0 },
          dateTimeColumn(engine, 'expires_at', { nullable: true }),
          dateTimeColumn(engine, 'event_timestamp'),
          dateTimeColumn(engine, 'created_at', { defaultNow: true }),
          dateTimeColumn(engine, 'updated_at', { defaultNow: true, onUpdateNow: true }),
        ],
        uniques: [
          {
            name: 'uq_whatsapp_chat_presences_participant',
            columnNames: ['session_id', 'chat_jid', 'participant_jid'],
          },
        ],
        indices: [
          { name: 'idx_whatsapp_chat_presences_expiry', columnNames: ['state', 'expires_at'] },
        ],
      }),
    );
    for (const table of [
      'whatsapp_messages',
      'whatsapp_message_statuses',
      'whatsapp_chat_presences',
    ]) {
      await ensureUtf8mb4(queryRunner, table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('whatsapp_chat_presences');
    await queryRunner.dropTable('whatsapp_message_statuses');
    await queryRunner.dropTable('whatsapp_messages');
  }
}
