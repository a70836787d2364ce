/**
 * SIGKILL of the instance a client is on, in the middle of a reply: two real server processes (the entry point,
 * as `npm start` runs it) on one PostgreSQL database and one Redis. The client moves to the other instance,
 * resumes with every committed turn, the half-streamed reply is stored as interrupted (never as complete), the
 * retried message is answered, and the conversation goes on. Needs PostgreSQL (TEST_DATABASE_URL, DATABASE_URL or
 * the local server on :5432) and TEST_REDIS_URL; skipped without Redis.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { writeTinyModel } from '../chat/chat-test-app';
import { type ServerProcess, startServer } from '../support/server-process';
import { createTestDatabase, type TestDatabase, testServerUrl } from '../support/test-database';

const redisUrl = process.env.TEST_REDIS_URL;
const serverUrl = testServerUrl() ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

(redisUrl ? describe : describe.skip)('SIGKILL of an instance mid-reply', () => {
  let dir: string;
  let db: TestDatabase;
  const instances: ServerProcess[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hred-kill-'));
    await writeTinyModel(path.join(dir, 'models', 'hred-tiny'), 'hred', 1);
    db = await createTestDatabase({ serverUrl });
    const env = {
      DATABASE_URL: (db.target as { url: string }).url,
      REDIS_URL: redisUrl!,
      REDIS_PREFIX: `hred-test-${randomUUID()}`,
      DATA_DIR: path.join(dir, 'data'),
      MODELS_DIR: path.join(dir, 'models'),
    };
    // One after the other: both registering the shipped model at once would race on the same row.
    instances.push(await startServer(env));
    instances.push(await startServer(env));
  }, 240_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    for (const instance of instances) instance.process.kill('SIGKILL');
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = (instance: ServerProcess) => {
    const socket = io(`${instance.url}/chat`, { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return socket;
  };
  const ack = async (socket: Socket, event: string, payload: object) => {
    const answer = await socket.timeout(30_000).emitWithAck(event, payload);
    if (!answer.ok) throw new Error(`${event}: ${JSON.stringify(answer.error)}`);
    return answer;
  };
  const replyEnd = (socket: Socket) => new Promise<{ text: string; finishReason: string }>((resolve) => socket.once('reply:end', resolve));

  it('loses no committed turn; the client resumes on the other instance and the conversation continues', async () => {
    const [a, b] = instances;
    const onA = connect(a);
    const started = await ack(onA, 'conversation:start', { model: 'hred', decoding: { strategy: 'greedy', maxTokens: 512, ignoreEos: true } });
    const { conversationId, resumeToken } = started;
    let ended = replyEnd(onA);
    await ack(onA, 'message:send', { conversationId, text: 'hello there !', clientMessageId: 'm1' });
    const first = await ended;
    expect(first.finishReason).toBe('length');

    // The second reply: kill A at its first token.
    const killed = new Promise<void>((resolve) => {
      onA.once('reply:token', () => {
        a.process.kill('SIGKILL');
        a.process.once('exit', () => resolve());
      });
    });
    await ack(onA, 'message:send', { conversationId, text: 'how are you ?', clientMessageId: 'm2' });
    await killed;

    const onB = connect(b);
    const resumed = await ack(onB, 'conversation:resume', { conversationId, resumeToken });
    const turns = resumed.conversation.turns as { speaker: string; text: string; finishReason?: string }[];
    expect(turns.slice(0, 3).map((t) => [t.speaker, t.text])).toEqual([
      ['user', 'hello there !'],
      ['bot', first.text],
      ['user', 'how are you ?'],
    ]);
    // The half-streamed reply is stored as interrupted with what was streamed, never as complete.
    expect(turns).toHaveLength(4);
    expect(turns[3]).toMatchObject({ speaker: 'bot', finishReason: 'interrupted' });

    // The client's retry of that message adds nothing: its user turn is stored, and so is the cut reply (a
    // replay would be a second reply beside it). The conversation goes on with the next message.
    const retried = await ack(onB, 'message:send', { conversationId, text: 'how are you ?', clientMessageId: 'm2' });
    expect(retried).toMatchObject({ turnIndex: 2, duplicate: true });
    ended = replyEnd(onB);
    await ack(onB, 'message:send', { conversationId, text: 'fine , thanks .', clientMessageId: 'm3' });
    expect((await ended).finishReason).toBe('length');

    const final = (await ack(onB, 'conversation:resume', { conversationId, resumeToken })).conversation.turns as { speaker: string; text: string }[];
    expect(final.map((t) => t.speaker)).toEqual(['user', 'bot', 'user', 'bot', 'user', 'bot']);
    expect(final.filter((t) => t.speaker === 'user').map((t) => t.text)).toEqual(['hello there !', 'how are you ?', 'fine , thanks .']);
  }, 120_000);
});
