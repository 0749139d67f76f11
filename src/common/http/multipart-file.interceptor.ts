import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Inject,
  mixin,
  NestInterceptor,
  Optional,
  PayloadTooLargeException,
  Type,
} from '@nestjs/common';
import { FileInterceptor, type MulterModuleOptions } from '@nestjs/platform-express';
import { MULTER_MODULE_OPTIONS } from '@nestjs/platform-express/multer/files.constants';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-errors';

/**
 * `FileInterceptor(field)` for a route that takes JSON as well as `multipart/form-data`: multer
 * runs only on a multipart request. A JSON request (every send but an upload) skips it, which
 * saves a share of the CPU of each send (multer's setup per request). Multer's options are the
 * module's (`MulterModule.register`), as with `FileInterceptor`. A file over the module's size
 * limit is a 413 that names the setting and its value (multer's own is only "File too large").
 */
export function MultipartFileInterceptor(
  field: string,
  /** The setting that sets the module's size limit, named in the 413. */
  limitSetting: string,
): Type<NestInterceptor> {
  class Multipart extends FileInterceptor(field) {
    private readonly maxBytes: number | undefined;

    constructor(@Optional() @Inject(MULTER_MODULE_OPTIONS) options: MulterModuleOptions = {}) {
      super(options);
      this.maxBytes = options.limits?.fileSize;
    }

    override async intercept(
      context: ExecutionContext,
      next: CallHandler,
    ): Promise<Observable<unknown>> {
      const request = context.switchToHttp().getRequest<Request>();
      if (!request.is('multipart')) {
        return next.handle();
      }
      try {
        return await super.intercept(context, next);
      } catch (error) {
        if (error instanceof PayloadTooLargeException && this.maxBytes !== undefined) {
          throw new DomainError(
            HttpStatus.PAYLOAD_TOO_LARGE,
            `The uploaded ${field} is larger than ${limitSetting} (${this.maxBytes} bytes)`,
          );
        }
        throw error;
      }
    }
  }
  return mixin(Multipart);
}
