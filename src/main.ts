import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadConfigOrExit } from './config';
import { DataDirError } from './database/data-dir-lock';
import { claimDataDir } from './database/database-target';

/** SIGTERM closes sockets, stops replies (stored as interrupted), closes the database and Redis; past this, exit anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

async function bootstrap() {
  const config = loadConfigOrExit();
  const releaseDataDir = claimDataDir(config); // one line and exit 1 when DATA_DIR is taken or read-only
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
  }
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  releaseDataDir(); // the open database holds the folder now, until it closes at shutdown
  configureApp(app, config);
  await app.listen(config.port, config.host);
  app.get(Logger).log(`Listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error: unknown) => {
  const detail = error instanceof DataDirError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Start-up failed: ${detail}\n`);
  process.exit(1);
});
