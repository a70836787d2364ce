import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { setupAdminDocs } from './admin/admin-docs';
import { ChatIoAdapter } from './chat/chat-io-adapter';
import type { AppConfig } from './config';

/** What main.ts does to the application before it listens; tests that run several instances do the same. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(); // SIGTERM/SIGINT: close connections, stop jobs, close the database
  setupAdminDocs(app, config); // /admin/docs, only when ADMIN_TOKEN is set
  if (config.corsOrigins) app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins });
  const redis = config.redisUrl ? { url: config.redisUrl, prefix: config.redisPrefix } : undefined;
  app.useWebSocketAdapter(new ChatIoAdapter(app, { corsOrigins: config.corsOrigins, redis }));
}
