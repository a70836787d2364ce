/**
 * Issue 22, on the real entry point: one process per embedded-database folder (a second instance refuses to start,
 * a lock left by kill -9 is recovered), and a read-only DATA_DIR holding a database fails start-up naming the cause.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCK_FILE } from '../../src/database/data-dir-lock';
import { writeTinyModel } from '../chat/chat-test-app';
import { CLEAN_EXIT, startServer } from '../support/server-process';

const root = path.resolve(__dirname, '..', '..');
const NOBODY = 65534;

/** `npm start` in the foreground until it exits (it should, at once): its exit code and stderr. */
function startToExit(env: Record<string, string>, asUser?: number) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', TF_BACKEND: 'wasm', PORT: '0', HOST: '127.0.0.1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
    ...(asUser !== undefined && { uid: asUser, gid: asUser }),
  });
}

describe('DATA_DIR on the embedded database', () => {
  let dir: string;
  let env: Record<string, string>;
  let pglite: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hred-data-dir-'));
    chmodSync(dir, 0o755); // readable by the unprivileged user of the read-only test
    await writeTinyModel(path.join(dir, 'models', 'hred-tiny'), 'hred', 1);
    env = { DATA_DIR: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), DATABASE_URL: '' };
    pglite = path.join(dir, 'data', 'pglite');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a second instance refuses to start, naming the folder and the owner; a lock left by kill -9 is recovered', async () => {
    const first = await startServer(env);
    const second = startToExit(env);
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toBe(
      `Start-up failed: ${pglite} is in use by another process (pid ${first.process.pid}): one process per embedded database (stop it, or give this one another DATA_DIR)`,
    );
    await fetch(`${first.url}/health/ready`).then((r) => expect(r.status).toBe(200)); // the owner is undisturbed

    first.process.kill('SIGKILL');
    await first.stop();
    expect(existsSync(path.join(pglite, LOCK_FILE))).toBe(true); // left behind, naming a dead pid
    const next = await startServer(env);
    expect(CLEAN_EXIT).toContain(await next.stop());
    expect(existsSync(path.join(pglite, LOCK_FILE))).toBe(false); // a clean stop removes it
  }, 300_000);

  // Before: it failed deep inside PGlite, without saying that the folder could not be written.
  test('a read-only DATA_DIR holding a database fails start-up in one line naming the cause', () => {
    const readOnly = [path.join(dir, 'data'), pglite];
    readOnly.forEach((folder) => chmodSync(folder, 0o555));
    try {
      // root writes through any mode: the service runs as an unprivileged user then, as it does in the image.
      const result = startToExit(env, process.getuid?.() === 0 ? NOBODY : undefined);
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(new RegExp(`^Start-up failed: ${pglite} is not writable \\((EACCES|EROFS|EPERM)\\): the embedded database needs to write its folder`));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      readOnly.forEach((folder) => chmodSync(folder, 0o755));
    }
  }, 120_000);
});
