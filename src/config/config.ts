import { isIP } from 'node:net';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { type DecodingInput, decodingSchema, parseDecoding } from '../generation/decoding-options';
import { normalize } from '../serving/client-address';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TF_BACKENDS = ['auto', 'node', 'wasm', 'cpu'] as const;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer between ${min} and ${max}`);
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });
const url = (protocols: string[]) =>
  z.string().refine(
    (s) => URL.canParse(s) && protocols.includes(new URL(s).protocol),
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
/** Defaults the published API documents state (docs/asyncapi.json, docs/openapi.json). */
export const DEFAULT_MAX_MESSAGE_CHARS = 1000;
export const DEFAULT_MAX_CONVERSATION_TURNS = 1000;

/** A decoding as JSON, e.g. {"strategy":"beam","beamWidth":4}: the chat's decoding fields and limits. */
const decodingJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of decoding settings, e.g. {"strategy":"beam","beamWidth":4}' });
      return z.NEVER;
    }
  })
  .pipe(decodingSchema.partial())
  .superRefine((d, ctx) => {
    try {
      parseDecoding(d);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/**
 * The decoding of a reply whose request picks none. Beam 4: in the judged rounds it was more sensible than greedy
 * on the same model (r1 +0.08 [0.03, 0.13], r2 +0.15 [0.11, 0.20] SSA; judging/README.md).
 */
export const DEFAULT_DECODING: DecodingInput = { strategy: 'beam', beamWidth: 4 };

const dir = z.string().transform((p) => path.resolve(p)); // relative to the working directory

/** Every setting the service reads, by environment variable name, with its default. Empty means unset. */
const settings = z.object({
  PORT: integer(0, 65535).default(3000), // HTTP + socket.io
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(), // unset: embedded PGlite in DATA_DIR/pglite
  DATA_DIR: dir.default(() => path.resolve('data')),
  MODELS_DIR: dir.default(() => path.resolve('models')),
  // unset: admin API off. No whitespace: `Authorization: Bearer <token>` cannot carry it, so it could never match.
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain whitespace (a Bearer header cannot carry it)').optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(), // unset: single instance, in-process queues
  // Namespace of every Redis key and channel (queue, socket.io adapter, cluster bus): one per deployment.
  REDIS_PREFIX: z.string().regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores').default('hred'),
  // With REDIS_URL: whether this process trains queued runs (false on API instances beside `npm run worker`).
  TRAINING_WORKER: oneOf(['true', 'false'] as const).transform((v) => v === 'true').default(true),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  // Comma-separated origins allowed by CORS (HTTP and socket.io, see main.ts), or *; unset: same origin only.
  CORS_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((list) => list.every((o) => o === '*' || URL.canParse(o)), 'must be * or comma-separated origins like https://chat.example.com')
    .optional(),
  MAX_MESSAGE_CHARS: integer(1, 100_000).default(DEFAULT_MAX_MESSAGE_CHARS), // UTF-16 code units, as the HTML maxlength attribute counts
  // Stored turns (user and bot) after which a conversation takes no more messages (conversation_full).
  MAX_CONVERSATION_TURNS: integer(2, 1_000_000).default(DEFAULT_MAX_CONVERSATION_TURNS),
  // Whether anonymous chat clients may pick a model version by id that is not its kind's active one.
  CHAT_INACTIVE_VERSIONS: oneOf(['true', 'false'] as const).transform((v) => v === 'true').default(false),
  // Chat events per socket: a token bucket of CHAT_RATE_BURST refilled at CHAT_RATE_PER_SECOND.
  CHAT_RATE_BURST: integer(1, 10_000).default(10),
  CHAT_RATE_PER_SECOND: integer(1, 10_000).default(5),
  // What a chat client (socket or /v1) may ask for; over a cap the request is refused with the field named.
  CHAT_MAX_TOKENS: integer(1, 512).default(128),
  CHAT_MAX_BEAM_WIDTH: integer(1, 16).default(8),
  CHAT_MAX_CANDIDATES: integer(1, 32).default(16),
  CHAT_MAX_COMPARE: integer(2, 4).default(3), // models compared side by side in one conversation
  CHAT_IGNORE_EOS: oneOf(['true', 'false'] as const).transform((v) => v === 'true').default(false),
  // Per client address (see TRUSTED_PROXIES): open chat sockets, and conversations started per minute.
  CHAT_SOCKETS_PER_ADDRESS: integer(1, 100_000).default(32),
  CHAT_CONVERSATIONS_PER_MINUTE: integer(1, 100_000).default(20),
  // Reply admission, shared by the socket chat and /v1: decoder rows admitted at once, replies waiting (past that:
  // busy, with a retry time), replies admitted or waiting per client address.
  SERVE_MAX_ROWS: integer(1, 4096).default(64),
  SERVE_MAX_QUEUED: integer(0, 100_000).default(256),
  SERVE_REPLIES_PER_ADDRESS: integer(1, 100_000).default(8),
  // Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client; unset: the peer's address.
  TRUSTED_PROXIES: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((a) => isIP(a) !== 0), 'must be comma-separated IP addresses like 10.0.0.2,::1')
    .optional(),
  TF_BACKEND: oneOf(TF_BACKENDS).default('auto'), // auto: the fastest that works (src/tensor/backend.ts)
  // On wasm, the native kernels (native/kernels: products, fused softmax cross-entropy, GRUs, Adam) when they load; off: tfjs's own.
  // The backend reads it from the environment (worker threads too); it is here so a bad value stops start-up.
  TF_NATIVE: oneOf(['auto', 'off'] as const).default('auto'),
  // Threads that decode replies, each with its own backend and model copies (WASM computes on one core per thread);
  // 0 or 1: in the service's thread, the default: measured on 2 cores (README, Benchmarks), 2 threads gave no more
  // replies/s at batch 32 and added a thread hop to every batch-1 reply.
  DECODER_THREADS: integer(0, 256).default(1),
  CORPUS_DIR: dir.default(() => path.resolve('../shared/data')),
  // Bearer keys of the OpenAI-compatible API (/v1), comma-separated; unset: open, like the socket chat.
  CHAT_API_KEYS: z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .refine((keys) => keys.length > 0 && keys.every((k) => k.length >= 16 && !/\s/.test(k)), 'must be comma-separated keys of at least 16 characters, without spaces')
    .optional(),
  // Whether /v1/chat/completions stores each exchange as a conversation (as the socket chat does every turn).
  CHAT_API_STORE: oneOf(['on', 'off'] as const).transform((v) => v === 'on').default(false),
  // The decoding of chat and /v1 replies whose request picks no strategy (JSON).
  DEFAULT_DECODING: decodingJson.default(DEFAULT_DECODING),
  METRICS: oneOf(['on', 'off'] as const).transform((v) => v === 'on').default(true), // GET /metrics (Prometheus)
  // Unset: /metrics on PORT; set: on this port only (a listener of its own, on HOST), off the public one.
  METRICS_PORT: integer(1, 65535).optional(),
}).refine((s) => s.METRICS_PORT === undefined || s.METRICS_PORT !== s.PORT, { path: ['METRICS_PORT'], error: 'must differ from PORT' });

/** The environment variables the service reads (`.env.example` must list each: config.spec.ts checks). */
export const SETTING_NAMES: readonly string[] = Object.keys(settings.shape);

/** The one typed configuration object; provided in Nest as APP_CONFIG. */
export interface AppConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  modelsDir: string;
  adminToken?: string;
  redisUrl?: string;
  redisPrefix: string;
  trainingWorker: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  corsOrigins?: string[];
  maxMessageChars: number;
  maxConversationTurns: number;
  chatInactiveVersions: boolean;
  chatRateLimit: { burst: number; perSecond: number };
  /** CHAT_MAX_TOKENS, CHAT_MAX_BEAM_WIDTH, CHAT_MAX_CANDIDATES, CHAT_IGNORE_EOS. */
  chatDecodingCaps: { maxTokens: number; beamWidth: number; candidates: number; ignoreEos: boolean };
  chatMaxCompare: number;
  chatSocketsPerAddress: number;
  chatConversationsPerMinute: number;
  /** SERVE_MAX_ROWS, SERVE_MAX_QUEUED, SERVE_REPLIES_PER_ADDRESS. */
  serving: { maxRows: number; maxQueued: number; perClient: number };
  trustedProxies: string[];
  tfBackend: (typeof TF_BACKENDS)[number];
  decoderThreads: number;
  corpusDir: string;
  chatApiKeys?: string[];
  chatApiStore: boolean;
  defaultDecoding: DecodingInput;
  metrics: { enabled: boolean; port?: number };
}

/** Never echoed in error messages: a token, or URLs that may carry a password. */
const SECRETS = new Set(['ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'CHAT_API_KEYS']);

export const APP_CONFIG = Symbol('APP_CONFIG');

/** A setting that cannot be used; the message is one line naming it, for start-up to print as it is. */
export class ConfigError extends AppError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** Parses settings from an environment; throws a ConfigError whose message is one line naming the setting. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const present = Object.fromEntries(Object.keys(settings.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const result = settings.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0]);
    const got = SECRETS.has(name) ? 'value hidden' : `got ${JSON.stringify(present[name])}`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message} (${got})`);
  }
  const s = result.data;
  return {
    port: s.PORT,
    host: s.HOST,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.DATA_DIR,
    modelsDir: s.MODELS_DIR,
    adminToken: s.ADMIN_TOKEN,
    redisUrl: s.REDIS_URL,
    redisPrefix: s.REDIS_PREFIX,
    trainingWorker: s.TRAINING_WORKER,
    logLevel: s.LOG_LEVEL,
    corsOrigins: s.CORS_ORIGINS,
    maxMessageChars: s.MAX_MESSAGE_CHARS,
    maxConversationTurns: s.MAX_CONVERSATION_TURNS,
    chatInactiveVersions: s.CHAT_INACTIVE_VERSIONS,
    chatRateLimit: { burst: s.CHAT_RATE_BURST, perSecond: s.CHAT_RATE_PER_SECOND },
    chatDecodingCaps: { maxTokens: s.CHAT_MAX_TOKENS, beamWidth: s.CHAT_MAX_BEAM_WIDTH, candidates: s.CHAT_MAX_CANDIDATES, ignoreEos: s.CHAT_IGNORE_EOS },
    chatMaxCompare: s.CHAT_MAX_COMPARE,
    chatSocketsPerAddress: s.CHAT_SOCKETS_PER_ADDRESS,
    chatConversationsPerMinute: s.CHAT_CONVERSATIONS_PER_MINUTE,
    serving: { maxRows: s.SERVE_MAX_ROWS, maxQueued: s.SERVE_MAX_QUEUED, perClient: s.SERVE_REPLIES_PER_ADDRESS },
    trustedProxies: (s.TRUSTED_PROXIES ?? []).map(normalize),
    tfBackend: s.TF_BACKEND,
    decoderThreads: s.DECODER_THREADS,
    corpusDir: s.CORPUS_DIR,
    chatApiKeys: s.CHAT_API_KEYS,
    chatApiStore: s.CHAT_API_STORE,
    defaultDecoding: s.DEFAULT_DECODING,
    metrics: { enabled: s.METRICS, port: s.METRICS_PORT },
  };
}

/** process.env, after a .env file in the working directory if there is one (real env vars win). */
export function loadConfig(): AppConfig {
  dotenv.config({ quiet: true });
  return parseConfig(process.env);
}

/** For entry points: the config, or one line on stderr and exit code 1. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
