import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config';

/** Never logged: credentials in request headers (the admin API uses Authorization: Bearer). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-admin-token"]'];

/** JSON lines to stdout; human-readable through pino-pretty only on a terminal (and when it is installed). */
export function loggerOptions(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      transport: process.stdout.isTTY && canResolve('pino-pretty') ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  };
}

function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false; // pino-pretty is a dev dependency; production images go without it
  }
}
