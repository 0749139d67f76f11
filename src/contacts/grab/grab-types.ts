import type { GrabbedContactView, GrabbedGroupView } from './grab-rows';

export type GrabScope = 'groups' | 'contacts' | 'all';

export interface GrabError {
  /** The group or contact JID that failed. */
  id: string;
  error: string;
}

/** Seed 000's grab `data`, plus `errors` for the items that failed. */
export interface GrabData {
  session_id: string;
  session_name: string | null;
  total_groups?: number;
  total_contacts?: number;
  groups?: GrabbedGroupView[];
  contacts?: GrabbedContactView[];
  saved_count: number;
  updated_count: number;
  grabbed_at: string;
  errors: GrabError[];
}

export const GRAB_MESSAGES: Record<GrabScope, string> = {
  groups: 'Kontak grup berhasil diambil dan disimpan',
  contacts: 'Kontak individual berhasil diambil dan disimpan',
  all: 'Semua kontak berhasil diambil dan disimpan',
};
