import { CallHandler, ExecutionContext, mixin, NestInterceptor, Type } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * `FileInterceptor(field)` for a route that takes JSON as well as `multipart/form-data`: multer
 * runs only on a multipart request. A JSON request (every send but an upload) skips it, which
 * saves a share of the CPU of each send (multer's setup per request). Multer's options are the
 * module's (`MulterModule.register`), as with `FileInterceptor`.
 */
export function MultipartFileInterceptor(field: string): Type<NestInterceptor> {
  class Multipart extends FileInterceptor(field) {
    override intercept(
      context: ExecutionContext,
      next: CallHandler,
    ): Promise<Observable<unknown>> | Observable<unknown> {
      const request = context.switchToHttp().getRequest<Request>();
      return request.is('multipart') ? super.intercept(context, next) : next.handle();
    }
  }
  return mixin(Multipart);
}
