import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-errors';

/** Bad list input: a 400 whose `errors` name the field and the problem. */
export class BadContactListRequest extends DomainError {
  constructor(field: string, message: string) {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, [{ field, messages: [message] }]);
  }
}

export class ContactListNotFound extends DomainError {
  constructor(listId: string) {
    super(HttpStatus.NOT_FOUND, `Contact list ${listId.slice(0, 64)} not found`);
  }
}

export class ContactListNameTaken extends DomainError {
  constructor(name: string) {
    super(HttpStatus.CONFLICT, `A contact list named "${name.slice(0, 64)}" already exists`);
  }
}

export class ContactListTooLarge extends DomainError {
  constructor(max: number) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, `A contact list has at most ${max} members`);
  }
}
