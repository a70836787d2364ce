/**
 * The README's start command as a user meets it: the real entry point on the embedded database, ready, and a conversation still there (same context, same token) after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLEAN_EXIT, type ServerProcess, startServer } from '../support/server-process';
import { io } from 'socket.io-client';
import { saveModel } from '../../src/models/model-files';
import { useTensorBackend } from '../support/tensor-backend';
import { tinyModel, tinyTokenizer } from '../support/generation-kit';

useTensorBackend();

describe('npm start on the embedded database', () => {
  let dir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hred-restart-'));
    const tokenizer = await tinyTokenizer();
    const model = tinyModel('hred', tokenizer.vocabSize);
    await saveModel(path.join(dir, 'models', 'hred-tiny'), model, {});
    await tokenizer.save(path.join(dir, 'models', 'hred-tiny'));
    model.dispose();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The same data folder each time, so the second start finds the first one's database.
  const start = async () => {
    server = await startServer({ DATA_DIR: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), DATABASE_URL: '', TF_BACKEND: 'auto' });
  };
  const stop = async () => {
    expect(CLEAN_EXIT).toContain(await server!.stop());
  };

  it('is ready, and a conversation survives a restart with its context', async () => {
    await start();
    expect(await (await fetch(`${server!.url}/health/ready`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${server!.url}/health`)).json()).toEqual({ status: 'ok' }); // no ADMIN_TOKEN: no details

    const chat = () => io(`${server!.url}/chat`, { transports: ['websocket'] });
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
