import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { setupAdminDocs } from './admin/admin-docs';
import { AppModule } from './app.module';
import { CorsIoAdapter } from './chat/cors-io-adapter';
import { loadConfigOrExit } from './config';

async function bootstrap() {
  const config = loadConfigOrExit();
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(); // SIGTERM/SIGINT: close connections, stop jobs, close the database
  setupAdminDocs(app, config); // /admin/docs, only when ADMIN_TOKEN is set
  if (config.corsOrigins) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins });
    app.useWebSocketAdapter(new CorsIoAdapter(app, config.corsOrigins));
  }
  await app.listen(config.port, config.host);
  app.get(Logger).log(`Listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
