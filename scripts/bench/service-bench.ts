/**
 * Service figures: the real server (a child process on embedded PGlite, a `small` HRED with random weights)
 * answering N concurrent socket.io clients, N = 1, 10, 50. Each client starts a conversation and sends
 * messages one after another; a reply is exactly 30 greedy tokens (eos ignored).
 *   service_ttft_ms     median and p95, from message:send to the first reply:token
 *   service_replies_per_s  replies completed per second with N clients
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port';
import { io, type Socket } from 'socket.io-client';
import { DialogueModel } from '../../src/models/dialogue-model';
import { parseModelConfig } from '../../src/models/model-config';
import { saveModel } from '../../src/models/model-files';
import { BenchContext, median, now, percentile } from './bench-context';

const DECODING = { strategy: 'greedy', maxTokens: 30, ignoreEos: true };

export async function benchService(ctx: BenchContext): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hred-bench-'));
  const modelDir = join(root, 'models', 'hred-bench');
  const model = new DialogueModel(parseModelConfig({ kind: 'hred', vocabSize: ctx.tokenizer.vocabSize }), 1);
  await saveModel(modelDir, model, { bench: true });
  await ctx.tokenizer.save(modelDir);
  model.dispose();
  const port = await freePort();
  const server = await startServer(root, port);
  try {
    const texts = (await ctx.testDialogues(60, 2)).map((d) => d[0]);
    for (const clients of ctx.quick ? [1, 10] : [1, 10, 50]) {
      const turns = ctx.quick ? 1 : 3;
      const started = now();
      const ttfts = (await Promise.all(Array.from({ length: clients }, (_, i) => client(port, texts[i % texts.length], turns)))).flat();
      const seconds = (now() - started) / 1000;
      ttfts.sort((a, b) => a - b);
      ctx.report({ model: 'hred', metric: 'service_ttft_ms', clients, stat: 'median', value: median(ttfts) });
      ctx.report({ model: 'hred', metric: 'service_ttft_ms', clients, stat: 'p95', value: percentile(ttfts, 95) });
      ctx.report({ model: 'hred', metric: 'service_replies_per_s', clients, value: ttfts.length / seconds });
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(root, { recursive: true, force: true });
  }
}

/** One client: a conversation of `turns` messages; returns each reply's time to first token. */
async function client(port: number, text: string, turns: number): Promise<number[]> {
  const socket: Socket = io(`http://127.0.0.1:${port}/chat`, { transports: ['websocket'] });
  try {
    const call = (event: string, payload: unknown) => socket.timeout(120_000).emitWithAck(event, payload);
    const started = await call('conversation:start', { model: 'hred', decoding: DECODING });
    if (!started.ok) throw new Error(`conversation:start: ${JSON.stringify(started.error)}`);
    const out: number[] = [];
    for (let t = 0; t < turns; t++) {
      const sent = now();
      let first = 0;
      const ended = new Promise<void>((resolve) => {
        socket.on('reply:token', () => (first ||= now()));
        socket.once('reply:end', () => resolve());
      });
      const ack = await call('message:send', { conversationId: started.conversationId, text });
      if (!ack.ok) throw new Error(`message:send: ${JSON.stringify(ack.error)}`);
      await ended;
      socket.off('reply:token');
      out.push(first - sent);
    }
    return out;
  } finally {
    socket.close();
  }
}

function startServer(root: string, port: number): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(root, 'data'),
      MODELS_DIR: join(root, 'models'),
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      CHAT_RATE_BURST: '1000',
      CHAT_RATE_PER_SECOND: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 120_000;
    const poll = () =>
      fetch(`http://127.0.0.1:${port}/health/ready`)
        .then((r) => (r.ok ? resolve(server) : retry()))
        .catch(retry);
    const retry = () => (Date.now() > deadline ? reject(new Error('the server did not become ready (/health/ready)')) : setTimeout(poll, 500));
    server.once('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
    poll();
  });
}
