import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';

export class AddOptOutsDto {
  /** Numbers (any common form) that get no campaign messages from this session */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  @ApiProperty({ example: ['6281234567890'] })
  phoneNumbers!: string[];
}

export class OptOutViewDto {
  @ApiProperty({ example: '6281234567890' }) phoneNumber!: string;
  /** `api` or `reply` (a stop keyword) */
  @ApiProperty({ example: 'reply' }) source!: string;
  @ApiProperty({ example: '2026-08-17T02:10:00.000Z' }) createdAt!: string;
}
