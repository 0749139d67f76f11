import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** A filter of the session's stored contacts, as on `GET /api/sessions/:id/contacts`. */
export class ContactsSourceDto {
  /** individual contacts or groups (the group chats themselves); both when omitted */
  @IsOptional()
  @IsIn(['individual', 'group'], { message: 'type must be one of: individual, group' })
  type?: 'individual' | 'group';

  /** Part of the name, the push name or the phone number */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  /** Only the members a grab stored for this group (a group JID) */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  groupId?: string;
}
