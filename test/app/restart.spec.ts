/**
 * The README's start command as a user meets it: the real entry point on the embedded database, /health
 * answering, and a conversation still there (same context, same token) after a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { io } from 'socket.io-client';
import { saveModel } from '../../src/models/model-files';
import { useTensorBackend } from '../support/tensor-backend';
import { tinyModel, tinyTokenizer } from '../support/generation-kit';

const root = path.resolve(__dirname, '..', '..');
useTensorBackend();

describe('npm start on the embedded database', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hred-restart-'));
    const tokenizer = await tinyTokenizer();
    const model = tinyModel('hred', tokenizer.vocabSize);
    await saveModel(path.join(dir, 'models', 'hred-tiny'), model, {});
    await tokenizer.save(path.join(dir, 'models', 'hred-tiny'));
    model.dispose();
    port = await freePort();
  });

  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    server = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 240; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('the server did not answer /health within 120 s');
  }

  async function stop(): Promise<void> {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }

  it('serves /health, and a conversation survives a restart with its context', async () => {
    await start();
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: { engine: 'pglite', ok: true }, generation: { models: [{ kind: 'hred' }] } });

    const chat = () => io(`http://127.0.0.1:${port}/chat`, { transports: ['websocket'] });
    const first = chat();
    const started = await first.timeout(30_000).emitWithAck('conversation:start', { model: 'hred' });
    const ended = new Promise((resolve) => first.once('reply:end', resolve));
    await first.timeout(30_000).emitWithAck('message:send', { conversationId: started.conversationId, text: 'hello there !' });
    const reply = (await ended) as { text: string };
    first.close();
    await stop();

    await start();
    const second = chat();
    const resumed = await second.timeout(30_000).emitWithAck('conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });
    second.close();
    expect(resumed.ok).toBe(true);
    expect(resumed.conversation.turns.map((t: { speaker: string; text: string }) => [t.speaker, t.text])).toEqual([
      ['user', 'hello there !'],
      ['bot', reply.text],
    ]);
  }, 300_000);
});
