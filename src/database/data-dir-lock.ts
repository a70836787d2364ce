/**
 * One process per embedded-database folder, as PostgreSQL's postmaster.pid does it: a lock file holding the owner's
 * pid and start time. PGlite has no lock of its own (it runs inside the process), so two instances on one DATA_DIR
 * both started, each with its own view of the data, and acknowledged turns were lost after a restart (issue 22).
 *
 * A lock whose owner is gone is stale and taken over: the pid is not running (kill -9), or it runs but started at
 * another time (the pid was reused), or it is this process's own pid (a container restarted: every start is pid 1).
 * Liveness is checked in this machine's process table, so the lock guards one host, as PostgreSQL's does.
 * Written by hand: proper-lockfile guards with mtime-refreshed directories, which a killed process leaves stale
 * for its whole timeout, and knows nothing of pids; this is the few lines PostgreSQL's check needs.
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';

export const LOCK_FILE = 'hred-chat.pid';

/** A folder the service cannot use: the message is one line, for start-up to print as it is. */
export class DataDirError extends AppError<'DATA_DIR_IN_USE' | 'DATA_DIR_NOT_WRITABLE'> {}

/** Locks held by this process: the start-up check and the database itself take the same folder. */
const held = new Map<string, { count: number }>();

/** Takes `dir` for this process (creating it if needed); returns the release. Throws DataDirError. */
export function lockDatabaseFolder(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine = held.get(file);
  if (mine) mine.count++;
  else {
    take(dir, file);
    held.set(file, { count: 1 });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const lock = held.get(file);
    if (lock && --lock.count === 0) {
      held.delete(file);
      if (readOwner(file)?.pid === process.pid) unlinkQuietly(file);
    }
  };
}

function take(dir: string, file: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    // Written whole under another name, then linked: the lock file never exists half-written (link fails if it exists).
    const draft = `${file}.${process.pid}`;
    writeFileSync(draft, `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`, { mode: 0o644 });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return linkSync(draft, file);
        } catch (error) {
          if (errorCode(error) !== 'EEXIST' || attempt === 2) throw error;
          const owner = readOwner(file);
          if (owner && isRunning(owner)) throw new DataDirError('DATA_DIR_IN_USE', `${dir} is in use by another process (pid ${owner.pid}): one process per embedded database (stop it, or give this one another DATA_DIR)`, { dir, pid: owner.pid });
          // Stale: removed, then linked again. Two processes recovering the same stale lock in the same instant
          // could each remove the other's fresh one; PostgreSQL's postmaster.pid check leaves the same window.
          unlinkQuietly(file);
        }
      }
    } finally {
      unlinkQuietly(draft);
    }
  } catch (error) {
    if (error instanceof DataDirError) throw error;
    const code = errorCode(error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new DataDirError('DATA_DIR_NOT_WRITABLE', `${dir} is not writable (${code}): the embedded database needs to write its folder (fix its permissions, or mount DATA_DIR read-write)`, { dir }, { cause: error });
    }
    throw error;
  }
}

/** The owner a lock file names, or undefined when it names none (unreadable, garbled). */
function readOwner(file: string): { pid: number; startTime?: string } | undefined {
  try {
    const [pid, startTime] = readFileSync(file, 'utf8').split('\n');
    return /^\d+$/.test(pid) ? { pid: Number(pid), startTime: startTime || undefined } : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(owner: { pid: number; startTime?: string }): boolean {
  if (owner.pid === process.pid) return false; // we hold no lock on it: a previous process had our pid
  try {
    process.kill(owner.pid, 0); // signal 0: exists?
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false; // ESRCH: no such process; EPERM: it exists, under another user
  }
  const startTime = processStartTime(owner.pid);
  return owner.startTime === undefined || startTime === undefined || startTime === owner.startTime;
}

/** When a process started, in clock ticks since boot (Linux /proc/<pid>/stat, field 22); undefined elsewhere. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, starttime 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
