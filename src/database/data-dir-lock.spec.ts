import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataDirError, LOCK_FILE, lockDatabaseFolder, processStartTime } from './data-dir-lock';

let dir: string;
const lockFile = () => path.join(dir, LOCK_FILE);
const children: ChildProcess[] = [];

/** A process that stays alive until the test ends. */
async function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hred-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

describe(lockDatabaseFolder.name, () => {
  it('writes this process as the owner and removes the file on release; a folder is created if missing', () => {
    const folder = path.join(dir, 'pglite');
    const release = lockDatabaseFolder(folder);
    const [pid, started] = readFileSync(path.join(folder, LOCK_FILE), 'utf8').split('\n');
    expect(Number(pid)).toBe(process.pid);
    expect(started).toBe(processStartTime(process.pid) ?? '');
    release();
    expect(existsSync(path.join(folder, LOCK_FILE))).toBe(false);
  });

  it('is shared within one process (the start-up check, then the database itself): the last release removes it', () => {
    const first = lockDatabaseFolder(dir);
    const second = lockDatabaseFolder(dir);
    first();
    expect(existsSync(lockFile())).toBe(true);
    second();
    second(); // a second call of the same release does nothing
    expect(existsSync(lockFile())).toBe(false);
  });

  // Issue 22: two instances on one DATA_DIR both started, each with its own view of the data.
  it('refuses a folder another live process holds, naming the folder and its pid', async () => {
    const pid = await liveProcess();
    writeFileSync(lockFile(), `${pid}\n${processStartTime(pid) ?? ''}\n`);
    expect(() => lockDatabaseFolder(dir)).toThrow(DataDirError);
    expect(() => lockDatabaseFolder(dir)).toThrow(`${dir} is in use by another process (pid ${pid})`);
    expect(readFileSync(lockFile(), 'utf8').startsWith(`${pid}\n`)).toBe(true); // left as it was
  });

  it.each([
    ['a process that has exited (kill -9)', async () => `${await deadPid()}\n`],
    ['a live pid that another process got since (its start time differs)', async () => `${await liveProcess()}\n1\n`],
    ['this very pid (the previous incarnation of a container, where every start is pid 1)', async () => `${process.pid}\n`],
    ['an unreadable file', async () => 'garbage'],
  ])('recovers a stale lock left by %s', async (_, content) => {
    writeFileSync(lockFile(), await content());
    const release = lockDatabaseFolder(dir);
    expect(Number(readFileSync(lockFile(), 'utf8').split('\n')[0])).toBe(process.pid);
    release();
  });
});
