import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express from 'express';
import { join } from 'node:path';

/** Where the page's files are: next to this file, in `src/` under ts and in `dist/` (nest-cli assets). */
export const DASHBOARD_ROOT = join(__dirname, 'public');

/**
 * The dashboard: static HTML/CSS/JS served at `/` by express.static. It is plain middleware, so
 * no guard (key, scope, rate limit) runs for its files; every API call the page makes sends the
 * key. Registered before Nest's 404 handler, and it falls through for anything it does not have.
 */
@Module({})
export class DashboardModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter;
    server.use(
      express.static(DASHBOARD_ROOT, {
        index: 'index.html',
        redirect: false,
        fallthrough: true,
        maxAge: '5m',
      }),
    );
  }
}
