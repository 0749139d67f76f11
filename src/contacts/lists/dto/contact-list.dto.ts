import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ContactsSourceDto } from '../../dto/contacts-source.dto';

/** Members per request given as numbers or JIDs. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;
/** Members of one list: as many as one campaign may have. */
export const MAX_LIST_MEMBERS = 100_000;

/** Members to add: numbers or JIDs, and/or a snapshot of the stored contacts a filter matches. */
export class ListMembersDto {
  /** Phone numbers (any common form), user JIDs, group or LID JIDs; duplicates collapse */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MEMBERS_PER_REQUEST)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  @ApiProperty({ required: false, example: ['6281234567890', '+62 812-3456-7891'] })
  members?: string[];

  /** Also add every stored contact this filter matches now (a snapshot, not kept in sync) */
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactsSourceDto)
  contacts?: ContactsSourceDto;
}

export class CreateContactListDto extends ListMembersDto {
  /** Unique within the session */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: 'Pelanggan VIP' })
  name!: string;
}

export class RenameContactListDto {
  /** The new name, unique within the session */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @ApiProperty({ example: 'Pelanggan VIP 2026' })
  name!: string;
}

export class ContactListViewDto {
  @ApiProperty({ example: '1' }) id!: string;
  @ApiProperty({ example: 'sales-1' }) sessionId!: string;
  @ApiProperty({ example: 'Pelanggan VIP' }) name!: string;
  @ApiProperty({ example: 120 }) memberCount!: number;
  @ApiProperty({ example: '2026-08-17T01:59:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-08-17T01:59:00.000Z' }) updatedAt!: string;
}

export class ContactListMemberViewDto {
  /** Digits of a phone number, or a group/LID JID */
  @ApiProperty({ example: '6281234567890' }) address!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Budi' }) name!: string | null;
  @ApiProperty({ example: '2026-08-17T01:59:00.000Z' }) addedAt!: string;
}

/** A list with one page of its members (`meta` pages the members). */
export class ContactListWithMembersDto extends ContactListViewDto {
  @Type(() => ContactListMemberViewDto) members!: ContactListMemberViewDto[];
}

export class MembersAddedDto {
  /** Members that were not in the list yet */
  @ApiProperty({ example: 2 }) added!: number;
  @Type(() => ContactListViewDto) list!: ContactListViewDto;
}

export class MemberRemovedDto {
  @ApiProperty({ example: true }) removed!: boolean;
  @Type(() => ContactListViewDto) list!: ContactListViewDto;
}
