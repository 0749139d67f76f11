import { CreateContacts1795200000000 } from './1795200000000-CreateContacts';
import { CreateWhatsappSessions1795200000001 } from './1795200000001-CreateWhatsappSessions';
import { CreateWaAuthKeys1795200000002 } from './1795200000002-CreateWaAuthKeys';
import { AddSessionAutoStart1795200000003 } from './1795200000003-AddSessionAutoStart';
import { CreateWebhooks1795200000300 } from './1795200000300-CreateWebhooks';

/** Every migration, in order. Listed explicitly so builds and tests load the same set. */
export const migrations = [
  CreateContacts1795200000000,
  CreateWhatsappSessions1795200000001,
  CreateWaAuthKeys1795200000002,
  AddSessionAutoStart1795200000003,
  CreateWebhooks1795200000300,
];
