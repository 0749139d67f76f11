import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';

/** Bad campaign input: a 400 whose `errors` name the field and the problem. */
export class BadCampaignRequest extends DomainError {
  constructor(field: string, message: string) {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, [{ field, messages: [message] }]);
  }
}

export class CampaignNotFound extends DomainError {
  constructor(campaignId: string) {
    super(HttpStatus.NOT_FOUND, `Campaign ${campaignId} not found`);
  }
}

export class CampaignStateConflict extends DomainError {
  constructor(action: string, state: string) {
    super(HttpStatus.CONFLICT, `A ${state} campaign cannot be ${action}`);
  }
}

export class CampaignTooLarge extends DomainError {
  constructor(max: number) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, `A campaign has at most ${max} recipients`);
  }
}
