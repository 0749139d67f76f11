import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  counted,
  CountedEnvelope,
  type Envelope,
  ok,
  paged,
  PagedEnvelope,
} from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { ApiKeysService } from './api-keys.service';
import { AuditService } from './audit.service';
import {
  ApiKeyViewDto,
  AuditEventDto,
  CreatedApiKeyDto,
  CreateApiKeyDto,
  CurrentKeyDto,
} from './dto/api-key.dto';
import { AuditQueryDto } from './dto/audit-query.dto';
import { PERMISSIONS, RequirePermission } from './permissions';
import { can } from './principal';
import type { AuthenticatedRequest } from './request-principal';

/** Scoped API keys, managed with an `admin` key. */
@ApiTags('Access control')
@ApiKeyAuth()
@RequirePermission('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create a scoped API key (the secret is shown once)' })
  @ApiEnvelope(CreatedApiKeyDto, { message: 'API key created', status: 201 })
  @ApiErrors(400, 403)
  async create(@Body() body: CreateApiKeyDto): Promise<Envelope<CreatedApiKeyDto>> {
    return ok(
      'API key created',
      await this.keys.create(body.name, body.sessions, body.permissions),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (no secrets)' })
  @ApiEnvelope(ApiKeyViewDto, { message: 'API keys retrieved successfully', isArray: true })
  @ApiErrors(403)
  async list(): Promise<CountedEnvelope<ApiKeyViewDto>> {
    return counted('API keys retrieved successfully', await this.keys.list());
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key (takes effect at once)' })
  @ApiParam({ name: 'id', example: '3' })
  @ApiEnvelope(ApiKeyViewDto, { message: 'API key revoked' })
  @ApiErrors(403, 404)
  async revoke(@Param('id') id: string): Promise<Envelope<ApiKeyViewDto>> {
    return ok('API key revoked', await this.keys.revoke(id));
  }
}

/** The calling key itself: any key with `read` may ask what it is allowed to do. */
@ApiTags('Access control')
@ApiKeyAuth()
@RequirePermission('read')
@Controller('api-keys')
export class CurrentKeyController {
  @Get('current')
  @ApiOperation({ summary: 'The calling key: its name, sessions and permissions (no secret)' })
  @ApiEnvelope(CurrentKeyDto, { message: 'API key retrieved' })
  @ApiErrors(403)
  current(@Req() request: AuthenticatedRequest): Envelope<CurrentKeyDto> {
    // the access guard set it: this route is not public
    const principal = request.principal!;
    return ok('API key retrieved', {
      id: principal.keyId,
      name: principal.name,
      sessions: principal.sessions === '*' ? ['*'] : [...principal.sessions],
      permissions: PERMISSIONS.filter((permission) => can(principal, permission)),
    });
  }
}

/** The audit trail, for `admin` keys. */
@ApiTags('Access control')
@ApiKeyAuth()
@RequirePermission('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'List audit events (newest first; filters and pagination)' })
  @ApiEnvelope(AuditEventDto, {
    message: 'Audit events retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400, 403)
  async list(@Query() query: AuditQueryDto): Promise<PagedEnvelope<AuditEventDto>> {
    const { data, meta } = await this.audit.list(query);
    return paged('Audit events retrieved successfully', data, meta);
  }
}
