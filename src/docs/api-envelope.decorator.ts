import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

interface EnvelopeOptions {
  status?: number;
  message: string;
  description?: string;
  /** `data` is a list of the model. */
  isArray?: boolean;
  /** The list carries `count` (seed 004). */
  count?: boolean;
  /** The list carries pagination `meta`. */
  paged?: boolean;
}

/** Documents a success envelope whose `data` is `model` (or a list of it). */
export function ApiEnvelope(model: Type<unknown>, options: EnvelopeOptions): MethodDecorator {
  const item = { $ref: getSchemaPath(model) };
  const properties: Record<string, object> = {
    success: { type: 'boolean', example: true },
    message: { type: 'string', example: options.message },
    data: options.isArray ? { type: 'array', items: item } : item,
  };
  if (options.count) {
    properties.count = { type: 'integer', example: 1 };
  }
  if (options.paged) {
    properties.meta = {
      type: 'object',
      properties: {
        page: { type: 'integer', example: 1 },
        per_page: { type: 'integer', example: 50 },
        total: { type: 'integer', example: 1 },
        last_page: { type: 'integer', example: 1 },
      },
    };
  }
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? options.message,
      schema: { type: 'object', required: ['success', 'message', 'data'], properties },
    }),
  );
}
