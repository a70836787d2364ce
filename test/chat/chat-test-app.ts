/**
 * The whole application on a free port (127.0.0.1) with tiny random-weight models in a temp MODELS_DIR, on the
 * database the environment selects (PGlite, or PostgreSQL with DATABASE_URL), plus a socket.io client for /chat.
 */
import { GREEDY_REPLIES } from '../support/greedy-replies';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { io, type Socket } from 'socket.io-client';
import { AppModule } from '../../src/app.module';
import { appUrl } from '../admin/admin-test-app';
import type { Ack, ClientToServerEvents, ReplyEndEvent, ReplyStartEvent, ReplyTokenEvent, ServerToClientEvents } from '../../src/chat/chat.events';
import { CHAT_OPTIONS, type ChatOptions, chatOptions } from '../../src/chat/chat.options';
import { parseConfig } from '../../src/config';
import { PrismaService } from '../../src/database/prisma.service';
import { tinyModel, tinyTokenizer } from '../support/generation-kit';
import type { ModelKind } from '../../src/models/model-config';
import { saveModel } from '../../src/models/model-files';
import { initTensorBackend } from '../../src/tensor/backend';
import { PERMISSIVE_LIMITS } from '../support/permissive-limits';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ChatTestApp {
  app: INestApplication;
  url: string;
  db: TestDatabase;
  modelsDir: string;
  close(): Promise<void>;
}

/** A model folder as MODELS_DIR holds it (model.json, weights.bin, tokenizer.json). */
export async function writeTinyModel(dir: string, kind: ModelKind, seed: number): Promise<string> {
  await initTensorBackend('wasm');
  const tokenizer = await tinyTokenizer();
  const model = tinyModel(kind, tokenizer.vocabSize, seed);
  await saveModel(dir, model, { note: 'random weights, for tests' });
  await tokenizer.save(dir);
  model.dispose();
  return dir;
}

/**
 * `env` adds settings to the app's configuration, e.g. `{ ADMIN_TOKEN }` to turn the admin API on; `overrides`
 * replaces providers, e.g. `[[OPENAI_API_OPTIONS, {...}]]`.
 */
export async function startChatApp(
  options: Partial<ChatOptions> = {},
  db?: TestDatabase,
  modelsDir?: string,
  env: Record<string, string> = {},
  overrides: [token: unknown, value: unknown][] = [],
): Promise<ChatTestApp> {
  const ownDb = !db;
  db ??= await createTestDatabase();
  const ownModels = !modelsDir;
  if (!modelsDir) {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'hred-chat-models-'));
    await writeTinyModel(path.join(modelsDir, 'hred-tiny'), 'hred', 1);
    await writeTinyModel(path.join(modelsDir, 'vhred-tiny'), 'vhred', 2);
  }
  const config = parseConfig({ LOG_LEVEL: 'silent', MODELS_DIR: modelsDir, DATA_DIR: modelsDir, TF_BACKEND: 'wasm', DECODER_THREADS: '1', DEFAULT_DECODING: GREEDY_REPLIES, ...PERMISSIVE_LIMITS, ...env });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(PrismaService)
    .useValue(ownDb ? db.prisma : keepOpen(db.prisma))
    .overrideProvider(CHAT_OPTIONS)
    .useValue({ ...chatOptions(config), rateLimit: { burst: 10, perSecond: 5 }, ...options });
  for (const [token, value] of overrides) builder = builder.overrideProvider(token).useValue(value);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication();
  await app.listen(0, '127.0.0.1');
  const url = await appUrl(app);
  const dirs = { db, modelsDir };
  let closing: Promise<void> | undefined;
  const close = async () => {
    await app.close();
    if (ownDb) await dirs.db.close();
    if (ownModels) await rm(dirs.modelsDir, { recursive: true, force: true });
  };
  return { app, url, ...dirs, close: () => (closing ??= close()) };
}

/** A second app on the same connection (a "restart", another instance) must not close it when it stops: its owner does. */
export function keepOpen(prisma: PrismaService): PrismaService {
  return new Proxy(prisma, {
    get(target, key) {
      if (key === 'onModuleDestroy' || key === 'close') return async () => {};
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function connect(url: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(`${url}/chat`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Emits with an ack callback and returns the ack (any event name and payload: bad input is tested too).
 * The timeout is generous: on a busy shared machine 50 clients on PGlite wait seconds for CPU.
 */
export function call<T extends object = Record<string, unknown>>(socket: ChatSocket, event: string, ...payload: unknown[]): Promise<Ack<T>> {
  const emitter = socket.timeout(30_000) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<Ack<T>> };
  return emitter.emitWithAck(event, ...payload);
}

export async function callOk<T extends object = Record<string, unknown>>(socket: ChatSocket, event: string, payload: unknown): Promise<{ ok: true } & T> {
  const ack = await call<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack;
}

export interface RecordedReply {
  start: ReplyStartEvent;
  tokens: ReplyTokenEvent[];
  end?: ReplyEndEvent;
}

/** Every reply event a socket receives, by reply id; `ended(n)` waits until n replies have ended. */
export function recordReplies(socket: ChatSocket) {
  const replies = new Map<string, RecordedReply>();
  const all: { event: string; conversationId: string; replyId: string }[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  socket.on('reply:start', (e) => {
    all.push({ event: 'start', ...e });
    replies.set(e.replyId, { start: e, tokens: [] });
    notify();
  });
  socket.on('reply:token', (e) => {
    all.push({ event: 'token', ...e });
    replies.get(e.replyId)?.tokens.push(e);
    notify();
  });
  socket.on('reply:end', (e) => {
    all.push({ event: 'end', ...e });
    const reply = replies.get(e.replyId);
    if (reply) reply.end = e;
    notify();
  });
  const until = async (done: () => boolean, what: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const ended = () => [...replies.values()].filter((r) => r.end);
  return {
    replies,
    all,
    until,
    ended: async (n: number) => {
      await until(() => ended().length >= n, `${n} ended replies`);
      return ended();
    },
  };
}
