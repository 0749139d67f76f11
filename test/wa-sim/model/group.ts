import { randomBytes } from 'node:crypto';
import { nowSeconds } from '../protocol/binary-nodes';
import type { SimUser } from './sim-user';

export type ParticipantRole = 'superadmin' | 'admin' | null;

export interface GroupParticipant {
  user: SimUser;
  role: ParticipantRole;
}

export class SimGroup {
  readonly creation = nowSeconds() - 86_400;
  description?: string;
  descriptionId?: string;
  inviteCode = randomBytes(16).toString('base64url').slice(0, 22);
  readonly participants: GroupParticipant[];

  /** Who created the group (its first superadmin). */
  readonly owner: SimUser;
  subjectTime = this.creation;
  subjectOwner: SimUser;

  constructor(
    readonly id: string,
    public subject: string,
    participants: GroupParticipant[],
  ) {
    if (participants.length === 0) {
      throw new Error('a group needs at least one participant');
    }
    this.participants = participants;
    this.owner = (participants.find((p) => p.role === 'superadmin') ?? participants[0]).user;
    this.subjectOwner = this.owner;
  }

  has(user: SimUser): boolean {
    return this.participants.some((p) => p.user === user);
  }

  isAdmin(user: SimUser): boolean {
    const role = this.roleOf(user);
    return role === 'admin' || role === 'superadmin';
  }

  roleOf(user: SimUser): ParticipantRole | undefined {
    return this.participants.find((p) => p.user === user)?.role;
  }
}
