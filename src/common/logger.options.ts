import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config';
import { redactQuery, redactUrl } from './redact-url';

export { redactUrl } from './redact-url';

/** Never logged: credentials in request headers (the admin API uses Authorization: Bearer). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-admin-token"]'];

type SerializedRequest = { url?: string; query?: unknown };

/** JSON lines to stdout; human-readable through pino-pretty only on a terminal (and when it is installed). */
export function loggerOptions(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      // ...and credentials in the URL (`?token=`): pino's redact works on paths, not inside a string.
      serializers: { req: (req: SerializedRequest) => Object.assign(req, { url: req.url && redactUrl(req.url), query: redactQuery(req.query) }) },
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
