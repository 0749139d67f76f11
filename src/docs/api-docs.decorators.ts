import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';

export const BEARER_SCHEME = 'bearer';
export const HEADER_KEY_SCHEME = 'api-key';

const ERROR_EXAMPLES: Record<number, { description: string; example: object }> = {
  400: {
    description: 'Bad input',
    example: {
      success: false,
      message: 'Validation failed',
      errors: [
        {
          field: 'sessionId',
          messages: ['sessionId must be shorter than or equal to 100 characters'],
        },
      ],
    },
  },
  401: {
    description: 'Missing or wrong API key',
    example: { success: false, message: 'Invalid API key' },
  },
  403: {
    description: 'The key may not do this (its scope or permissions)',
    example: { success: false, message: 'Forbidden for this session' },
  },
  404: {
    description: 'Unknown session or record',
    example: { success: false, message: 'Session not found' },
  },
  409: {
    description: 'Conflict',
    example: { success: false, message: 'Session my-session already exists' },
  },
  413: {
    description: 'Body too large',
    example: { success: false, message: 'Request body too large' },
  },
  410: {
    description: 'Gone (the media expired on WhatsApp)',
    example: {
      success: false,
      message: 'The media of message 42 can no longer be downloaded',
      error: 'The media is no longer on WhatsApp (expired or deleted)',
    },
  },
  429: { description: 'Rate limited', example: { success: false, message: 'Too many requests' } },
  500: {
    description: 'Unexpected error (details are logged under the error id)',
    example: {
      success: false,
      message: 'Internal server error',
      error_id: '3f0c6c2e-6a0e-4f57-9a43-0c1f5d1e2b7a',
    },
  },
  502: {
    description: "WhatsApp's media server failed or could not be reached",
    example: {
      success: false,
      message: 'The media of message 42 could not be downloaded',
      error: "WhatsApp's media server could not be reached",
    },
  },
  503: {
    description: 'Database or WhatsApp unreachable',
    example: { success: false, message: 'Service unavailable' },
  },
};

/** Documents the error envelopes a route can answer with. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, ...ERROR_EXAMPLES[status] })),
  );
}

/** The route needs the API key (either header form); documents both schemes and the 401. */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(HEADER_KEY_SCHEME),
    ApiErrors(401, 429, 500),
  );
}
