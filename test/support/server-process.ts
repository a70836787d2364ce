/** The service's real entry point (src/main.ts, as `npm start` runs it) in a child process, for restart and fault tests. */
import { GREEDY_REPLIES } from './greedy-replies';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port';
import { PERMISSIVE_LIMITS } from './permissive-limits';

const root = path.resolve(__dirname, '..', '..');

export interface ServerProcess {
  port: number;
  url: string;
  process: ChildProcess;
  /**
   * SIGTERM; resolves once the process has exited, with its exit code, or the signal that ended it: Nest re-raises
   * SIGTERM after its graceful close, so 'SIGTERM' is a clean stop too (the shutdown deadline exits with 1).
   */
  stop(): Promise<number | NodeJS.Signals | null>;
}

/** Starts the server with `env` over this process's environment and waits until it is ready (/health/ready, at most 120 s). */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', TF_BACKEND: 'wasm', DECODER_THREADS: '1', DEFAULT_DECODING: GREEDY_REPLIES, ...PERMISSIVE_LIMITS, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    if (await fetch(`${url}/health/ready`).then((r) => r.ok, () => false)) {
      return {
        port,
        url,
        process: child,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGKILL');
  throw new Error('the server was not ready (/health/ready) within 120 s');
}

/** How a clean stop ends (see ServerProcess.stop). */
export const CLEAN_EXIT = [0, 'SIGTERM'];
