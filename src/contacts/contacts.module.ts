import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import {
  AddressBookContactEntity,
  AddressBookGroupEntity,
  AddressBookLidMappingEntity,
} from './address-book/address-book.entities';
import { AddressBookReader } from './address-book/address-book.reader';
import { AddressBookStore } from './address-book/address-book.store';
import { ContactEntity } from './contact.entity';
import { ContactsController } from './contacts.controller';
import { EngineContactsController } from './engine/engine-contacts.controller';
import { EngineContactsService } from './engine/engine-contacts.service';
import { ConnectedSession } from './grab/connected-session';
import { ContactsGrabberService } from './grab/contacts-grabber.service';
import { GroupRowsBuilder } from './grab/group-rows.builder';
import { SessionWriteLock } from './grab/session-write-lock';
import { GroupParticipantEntity } from './group-participant.entity';
import { ContactListEntity, ContactListMemberEntity } from './lists/contact-list.entity';
import { ContactListsController } from './lists/contact-lists.controller';
import { ContactListsService } from './lists/contact-lists.service';
import { ApiSessionStatusService } from './stored/api-session-status.service';
import { ContactsExportService } from './stored/contacts-export.service';
import { StoredContactsService } from './stored/stored-contacts.service';
import { ContactsAutoSyncService } from './sync/contacts-auto-sync.service';

/**
 * The address book, the contact grabber, stored contacts (seeds 000/001), their engine routes,
 * and saved contact lists.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ContactEntity,
      GroupParticipantEntity,
      AddressBookContactEntity,
      AddressBookLidMappingEntity,
      AddressBookGroupEntity,
      ContactListEntity,
      ContactListMemberEntity,
    ]),
    WhatsappModule,
    SessionsModule,
  ],
  controllers: [ContactsController, EngineContactsController, ContactListsController],
  providers: [
    AddressBookStore,
    AddressBookReader,
    ConnectedSession,
    SessionWriteLock,
    GroupRowsBuilder,
    ContactsGrabberService,
    StoredContactsService,
    ContactsExportService,
    ApiSessionStatusService,
    EngineContactsService,
    ContactsAutoSyncService,
    ContactListsService,
  ],
  exports: [StoredContactsService, ContactListsService],
})
export class ContactsModule {}
