/**
 * SIGTERM in the middle of a reply, on the real entry point: the reply in flight ends (reply:end with
 * finishReason error) and is stored as interrupted with what was streamed, the process exits 0 within the
 * shutdown deadline, and after a restart the conversation resumes with every turn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { writeTinyModel } from '../chat/chat-test-app';
import { CLEAN_EXIT, type ServerProcess, startServer } from '../support/server-process';

describe('graceful shutdown on SIGTERM', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  const env = () => ({ DATA_DIR: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), DATABASE_URL: '' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hred-sigterm-'));
    await writeTinyModel(path.join(dir, 'models', 'hred-tiny'), 'hred', 1);
  });
  afterAll(async () => {
    server?.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends the reply in flight, stores it as interrupted, exits 0 in time, and resumes after a restart', async () => {
    server = await startServer(env());
    const socket = io(`${server.url}/chat`, { transports: ['websocket'], reconnection: false });
    const started = await socket.timeout(30_000).emitWithAck('conversation:start', { model: 'hred', decoding: { maxTokens: 512, ignoreEos: true } });
    const ended = new Promise<{ finishReason: string; text: string }>((resolve) => socket.once('reply:end', resolve));
    let stopping: ReturnType<ServerProcess['stop']> | undefined;
    let stoppedAt = 0;
    socket.once('reply:token', () => {
      stoppedAt = Date.now();
      stopping = server!.stop();
    });
    await socket.timeout(30_000).emitWithAck('message:send', { conversationId: started.conversationId, text: 'hello there !' });
    const end = await ended;
    expect(end.finishReason).toBe('error');
    expect(CLEAN_EXIT).toContain(await stopping);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    socket.close();

    server = await startServer(env());
    const again = io(`${server.url}/chat`, { transports: ['websocket'], reconnection: false });
    const resumed = await again.timeout(30_000).emitWithAck('conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });
    again.close();
    expect(resumed.conversation.turns).toMatchObject([
      { speaker: 'user', text: 'hello there !' },
      { speaker: 'bot', text: end.text, finishReason: 'interrupted' },
    ]);
    expect(CLEAN_EXIT).toContain(await server.stop());
  }, 300_000);
});
