import { CreateContacts1795200000000 } from './1795200000000-CreateContacts';
import { CreateWhatsappSessions1795200000001 } from './1795200000001-CreateWhatsappSessions';
import { CreateWaAuthKeys1795200000002 } from './1795200000002-CreateWaAuthKeys';
import { AddSessionAutoStart1795200000003 } from './1795200000003-AddSessionAutoStart';
import { CreateMessagingTables1795200000200 } from './1795200000200-CreateMessagingTables';
import { CreateSendQueue1795200000201 } from './1795200000201-CreateSendQueue';

/** Every migration, in order. Listed explicitly so builds and tests load the same set. */
export const migrations = [
  CreateContacts1795200000000,
  CreateWhatsappSessions1795200000001,
  CreateWaAuthKeys1795200000002,
  AddSessionAutoStart1795200000003,
  CreateMessagingTables1795200000200,
  CreateSendQueue1795200000201,
];
