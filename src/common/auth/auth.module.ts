import { Global, Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';

/** The admin API key (the guard that checks every request is the access module's). */
@Global()
@Module({
  providers: [ApiKeyService],
  exports: [ApiKeyService],
})
export class AuthModule {}
