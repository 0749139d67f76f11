import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'wa-gateway:public';

/** Marks a route (or controller) as reachable without the API key. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
