import { CreateContacts1795200000000 } from './1795200000000-CreateContacts';
import { CreateWhatsappSessions1795200000001 } from './1795200000001-CreateWhatsappSessions';

/** Every migration, in order. Listed explicitly so builds and tests load the same set. */
export const migrations = [CreateContacts1795200000000, CreateWhatsappSessions1795200000001];
