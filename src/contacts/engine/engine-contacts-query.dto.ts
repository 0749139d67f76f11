import { IsOptional, Matches } from 'class-validator';

export class EngineContactsQueryDto {
  /** Only the contacts that are members of this saved contact list (its id) */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'listId must be a contact list id' })
  listId?: string;
}
