import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../common/auth/public.decorator';
import type { Envelope, ErrorEnvelope } from '../common/http/envelope';

type HealthEnvelope = Envelope<HealthCheckResult> | (ErrorEnvelope & { data: HealthCheckResult });

@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and database check (public)' })
  @ApiResponse({
    status: 200,
    description: 'The process is up and the database answers',
    example: {
      success: true,
      message: 'OK',
      data: {
        status: 'ok',
        info: { database: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' } },
      },
    },
  })
  @ApiResponse({
    status: 503,
    description: 'The database does not answer',
    example: {
      success: false,
      message: 'Service unavailable',
      data: {
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      },
    },
  })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthEnvelope> {
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('database', { timeout: 3000 }),
      ]);
      return { success: true, message: 'OK', data: result };
    } catch (error) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      const data = (error as { response?: HealthCheckResult }).response ?? {
        status: 'error',
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      };
      return { success: false, message: 'Service unavailable', data };
    }
  }
}
