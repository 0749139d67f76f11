import { CreateContacts1795200000000 } from './1795200000000-CreateContacts';
import { CreateWhatsappSessions1795200000001 } from './1795200000001-CreateWhatsappSessions';
import { CreateWaAuthKeys1795200000002 } from './1795200000002-CreateWaAuthKeys';
import { AddSessionAutoStart1795200000003 } from './1795200000003-AddSessionAutoStart';
import { CreateApiKeysAndAudit1795200000400 } from './1795200000400-CreateApiKeysAndAudit';
import { WidenSendQueuePayload1795200000500 } from './1795200000500-WidenSendQueuePayload';
import { CreateCampaigns1795200000600 } from './1795200000600-CreateCampaigns';
import { CreateAddressBook1795200000100 } from './1795200000100-CreateAddressBook';
import { CreateGroupParticipants1795200000101 } from './1795200000101-CreateGroupParticipants';
import { WidenContactProfilePicture1795200000102 } from './1795200000102-WidenContactProfilePicture';
import { AddSessionContactsAutoSync1795200000103 } from './1795200000103-AddSessionContactsAutoSync';
import { CreateMessagingTables1795200000200 } from './1795200000200-CreateMessagingTables';
import { CreateSendQueue1795200000201 } from './1795200000201-CreateSendQueue';
import { CreateWebhooks1795200000300 } from './1795200000300-CreateWebhooks';
import { CreateClusterTables1795200000800 } from './1795200000800-CreateClusterTables';
import { CreateContactLists1795200000900 } from './1795200000900-CreateContactLists';
import { CampaignSendsWithoutDeadline1795200001000 } from './1795200001000-CampaignSendsWithoutDeadline';
import { WidenMessageText1795200001100 } from './1795200001100-WidenMessageText';

/** Every migration, in order. Listed explicitly so builds and tests load the same set. */
export const migrations = [
  CreateContacts1795200000000,
  CreateWhatsappSessions1795200000001,
  CreateWaAuthKeys1795200000002,
  AddSessionAutoStart1795200000003,
  CreateAddressBook1795200000100,
  CreateGroupParticipants1795200000101,
  WidenContactProfilePicture1795200000102,
  AddSessionContactsAutoSync1795200000103,
  CreateMessagingTables1795200000200,
  CreateSendQueue1795200000201,
  CreateWebhooks1795200000300,
  CreateApiKeysAndAudit1795200000400,
  WidenSendQueuePayload1795200000500,
  CreateCampaigns1795200000600,
  CreateClusterTables1795200000800,
  CreateContactLists1795200000900,
  CampaignSendsWithoutDeadline1795200001000,
  WidenMessageText1795200001100,
];
