/**
 * Issue #9, PostgreSQL restarting under traffic. The suite starts a throwaway PostgreSQL cluster of its own (initdb in
 * a temp folder, a free port, its unix socket in that folder: never the machine's shared server), runs the whole app
 * on it, and while a socket.io client chats:
 *   - stops PostgreSQL: chat events and HTTP calls fail fast with a clear `unavailable` error, the socket stays, and
 *     /health reports the database down;
 *   - starts it again (same port, same data): the next message is answered and stored, without restarting the
 *     service, and the conversation still holds every turn committed before.
 * Skipped (with a message) when the PostgreSQL server binaries (initdb, pg_ctl) are not on PATH.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Ack } from '../../src/chat/chat.events';
import { callOk, type ChatSocket, type ChatTestApp, connect, recordReplies, startChatApp } from '../chat/chat-test-app';
import { freePort } from '../support/free-port';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const run = promisify(execFile);

const hasInitdb = onPath('initdb') && onPath('pg_ctl');
if (!hasInitdb) {
  console.warn('test/reliability/postgres-restart.spec.ts skipped: initdb/pg_ctl (PostgreSQL server binaries) are not on PATH');
}
const describeWithPostgres = hasInitdb ? describe : describe.skip;

const ADMIN_TOKEN = 'restart-test-admin-token-0123';
/** How long a request may take to fail while the database is down: a connection refused is answered at once. */
const FAIL_FAST_MS = 10_000;
const SHORT = { strategy: 'greedy', maxTokens: 6 };

type Started = { conversationId: string; resumeToken: string };
type StoredTurn = { index: number; speaker: string; text: string; finishReason?: string | null };
type Resumed = { conversation: { turns: StoredTurn[] } };

describeWithPostgres('PostgreSQL restarting under traffic (issue #9)', () => {
  let cluster: ThrowawayCluster | undefined;
  let db: TestDatabase | undefined;
  let chat: ChatTestApp | undefined;
  const sockets: ChatSocket[] = [];

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    await cluster.start();
    db = await createTestDatabase({ serverUrl: cluster.url });
    chat = await startChatApp({}, db, undefined, { ADMIN_TOKEN });
  }, 120_000);

  // Runs after a failure too (and after a failed beforeAll): nothing of the cluster may outlive the suite.
  afterAll(async () => {
    sockets.splice(0).forEach((s) => s.disconnect());
    await settle(chat?.close());
    // Drops the test database; after a failure while the server is down, only the client (the cluster is deleted next).
    await settle(cluster?.running ? db?.close() : db?.prisma.close());
    await cluster?.destroy();
  }, 60_000);

  async function client(): Promise<ChatSocket> {
    const socket = await connect(chat!.url);
    sockets.push(socket);
    return socket;
  }

  /** An event that must be answered within FAIL_FAST_MS: a hang fails the test with the event's name. */
  async function callFast(socket: ChatSocket, event: string, payload: unknown): Promise<{ ack: Ack; ms: number }> {
    const startedAt = Date.now();
    const emitter = socket.timeout(FAIL_FAST_MS) as unknown as { emitWithAck(event: string, payload: unknown): Promise<Ack> };
    const ack = await emitter.emitWithAck(event, payload).catch(() => {
      throw new Error(`${event} got no ack within ${FAIL_FAST_MS} ms while PostgreSQL was down`);
    });
    return { ack, ms: Date.now() - startedAt };
  }

  function http(route: string, admin = false): Promise<Response> {
    const headers = admin ? { Authorization: `Bearer ${ADMIN_TOKEN}` } : undefined;
    return fetch(`${chat!.url}${route}`, { headers, signal: AbortSignal.timeout(FAIL_FAST_MS) });
  }

  const expectUnavailable = (ack: Ack) =>
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'unavailable', message: expect.stringMatching(/retry/i) }) });

  it('fails fast and clearly while PostgreSQL is down, and goes on with the same conversation once it is back', async () => {
    const socket = await client();
    const recorder = recordReplies(socket);
    const { conversationId, resumeToken } = await callOk<Started>(socket, 'conversation:start', { model: 'hred', decoding: SHORT });
    const said = ['hello there !', 'what time is it ?'];
    for (const [i, text] of said.entries()) {
      await callOk(socket, 'message:send', { conversationId, text });
      await recorder.ended(i + 1);
    }
    const committed = (await callOk<Resumed>(socket, 'conversation:resume', { conversationId, resumeToken })).conversation.turns;
    expect(committed.map((t) => t.speaker)).toEqual(['user', 'bot', 'user', 'bot']);

    await cluster!.stop();

    // Chat: error acks, quickly, and the connection stays.
    const send = await callFast(socket, 'message:send', { conversationId, text: 'are you there ?' });
    expectUnavailable(send.ack);
    const resume = await callFast(socket, 'conversation:resume', { conversationId, resumeToken });
    expectUnavailable(resume.ack);
    expectUnavailable((await callFast(socket, 'conversation:start', { model: 'hred' })).ack);
    expect(socket.connected).toBe(true);
    expect(Math.max(send.ms, resume.ms)).toBeLessThan(FAIL_FAST_MS);

    // HTTP: readiness and the admin's /health say the database is down; an admin call answers 503 with the same code.
    const ready = await http('/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', reasons: ['database_unreachable'] });
    const health = await http('/health', true);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', database: { engine: 'postgres', ok: false } });
    const models = await http('/admin/models', true);
    expect(models.status).toBe(503);
    expect(await models.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/retry/i) } });

    await cluster!.start();

    // The same service, the same socket: the very next message is answered, streamed to its end and stored.
    const healthy = await http('/health', true);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'ok', database: { engine: 'postgres', ok: true } });
    expect(await callOk(socket, 'message:send', { conversationId, text: 'are you there ?' })).toEqual({ ok: true, turnIndex: 4 });
    const last = (await recorder.ended(3))[2];
    expect(last.start.turnIndex).toBe(4);
    expect(last.end).toMatchObject({ finishReason: expect.stringMatching(/^(eos|length)$/), text: last.tokens.at(-1)?.text ?? '' });
    expect((await http('/admin/models', true)).status).toBe(200);

    // Every turn committed before the outage is still there, followed by the new pair, as a new connection sees it.
    const again = await client();
    const resumed = (await callOk<Resumed>(again, 'conversation:resume', { conversationId, resumeToken })).conversation.turns;
    expect(resumed).toEqual([
      ...committed,
      { index: 4, speaker: 'user', text: 'are you there ?' },
      expect.objectContaining({ index: 5, speaker: 'bot', text: last.end!.text, replyId: last.start.replyId, finishReason: last.end!.finishReason }),
    ]);
    expect(socket.connected).toBe(true);
  });
});

/**
 * A PostgreSQL cluster in a temp folder, on a free port of 127.0.0.1, with its unix socket in that folder too.
 * PostgreSQL refuses to run as root: as root, every command runs as the `postgres` account, which owns the folder.
 */
class ThrowawayCluster {
  /** Started and not stopped since (or possibly: a failed start may have left a server behind). */
  running = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly account: { uid: number; gid: number } | undefined,
  ) {}

  static async create(): Promise<ThrowawayCluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'hred-pg-restart-'));
    const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
    if (account) await chown(dir, account.uid, account.gid);
    const cluster = new ThrowawayCluster(dir, await freePort(), account);
    try {
      await cluster.pg('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** Starts it (again: same port, same data) and waits until it accepts connections. */
  async start(): Promise<void> {
    // fsync=off: nothing here must survive a machine crash, only a clean stop (which writes everything out).
    const settings = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${this.dir}' -c fsync=off`;
    this.running = true;
    await this.pg('pg_ctl', ['start', '-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', '-o', settings]).catch(
      async (error: Error) => {
        const log = await readFile(path.join(this.dir, 'server.log'), 'utf8').catch(() => '');
        throw new Error(`${error.message}\n${log.slice(-2000)}`);
      },
    );
  }

  /** Like an administrator's restart: active sessions are terminated, committed data is kept. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '60']);
    this.running = false;
  }

  /** Stops it if it may be running, then removes its folder. Never throws: it runs in afterAll. */
  async destroy(): Promise<void> {
    if (this.running || existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      await this.stop('immediate').catch((error: Error) => console.warn(`could not stop the throwaway PostgreSQL: ${error.message}`));
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private pg(command: string, args: string[]) {
    return run(command, args, { cwd: this.dir, timeout: 90_000, ...this.account });
  }
}

function postgresAccount(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('PostgreSQL refuses to run as root, and there is no `postgres` account to run it as');
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, command)));
}

async function settle(promise: Promise<unknown> | undefined): Promise<void> {
  await promise?.catch((error: unknown) => console.warn(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
}
