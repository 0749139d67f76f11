import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { PageMeta } from './envelope';

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 500;

/** `?page=&per_page=` for paginated lists (CONTRACT §4). */
export class PaginationQueryDto {
  /** Page number, from 1 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  /** Items per page (default 50, max 500) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PER_PAGE)
  per_page?: number;
}

export interface PageRequest {
  page: number;
  perPage: number;
  skip: number;
}

export function pageRequest(query: PaginationQueryDto): PageRequest {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
  return { page, perPage, skip: (page - 1) * perPage };
}

export function pageMeta(request: PageRequest, total: number): PageMeta {
  return {
    page: request.page,
    per_page: request.perPage,
    total,
    last_page: Math.max(1, Math.ceil(total / request.perPage)),
  };
}
