/**
 * npm run worker: a process that trains the runs queued in Redis (REDIS_URL) by any instance of the service,
 * one at a time, and reports their progress to every instance. Start as many as there are cores to spare.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from './config';
import { WorkerModule } from './worker.module';

async function bootstrap() {
  const config = loadConfigOrExit();
  if (!config.redisUrl || !config.databaseUrl) {
    // The embedded database belongs to one process: a worker must share the service's PostgreSQL and Redis.
    process.stderr.write('npm run worker needs REDIS_URL and DATABASE_URL (the ones the service uses); without them the service trains runs itself.\n');
    process.exit(2);
  }
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, trainingWorker: true }), { bufferLogs: true });
  worker.useLogger(worker.get(Logger));
  worker.enableShutdownHooks(); // SIGTERM: the run in progress stops at its next step and is marked interrupted
  worker.get(Logger).log(`training worker ready on queue prefix ${config.redisPrefix}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Worker start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
