import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

describe('start-up with an invalid setting', () => {
  test.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer between 0 and 65535 (got "abc")'],
    // Issue 22: a token with a space passed start-up, and then no Bearer header could ever carry it.
    [{ ADMIN_TOKEN: 'an admin token with spaces' }, 'Invalid configuration: ADMIN_TOKEN must not contain whitespace (a Bearer header cannot carry it) (value hidden)'],
  ])('%j exits with code 1 and one line naming the setting, without a stack trace', (env, line) => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(line);
  });
});
