import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/http/pagination';
import { CONTACT_TYPES, type ContactType } from '../contact.entity';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class GrabQueryDto {
  /** Also fetch every group's and contact's profile picture (slower) */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'with_pictures must be true or false' })
  with_pictures?: boolean;
}

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class StoredContactsQueryDto extends PaginationQueryDto {
  /** Only individual contacts or only groups; all when omitted */
  @IsOptional()
  @IsIn(CONTACT_TYPES, { message: 'type must be one of: individual, group' })
  type?: ContactType;

  /** Part of the name, the push name or the phone number (digits) */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  /** Only the contacts a grab last saw in this group (a group JID) */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  group_id?: string;

  /** Only the contacts that are members of this saved contact list (its id) */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'list_id must be a contact list id' })
  list_id?: string;

  /** json (paginated), or a download of the whole filtered set: csv or xlsx */
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'format must be one of: json, csv, xlsx' })
  format?: ExportFormat;
}

export class DeleteContactsQueryDto {
  /** Only delete individual contacts or only groups; all when omitted */
  @IsOptional()
  @IsIn(CONTACT_TYPES, { message: 'type must be one of: individual, group' })
  type?: ContactType;
}
