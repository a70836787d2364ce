import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  builtSourceHash,
  KERNELS_SOURCES,
  kernelsBinaries,
  kernelsSourceHash,
  loadNativeKernels,
  NATIVE_KERNELS_PATH,
  parseNativeChoice,
  PREBUILT_KERNELS_PATH,
} from './native-kernels';

describe('parseNativeChoice', () => {
  it('takes auto (also unset or empty) and off, and refuses anything else', () => {
    expect([undefined, '', 'auto', 'off'].map(parseNativeChoice)).toEqual(['auto', 'auto', 'auto', 'off']);
    expect(() => parseNativeChoice('on')).toThrow(/TF_NATIVE must be auto or off/);
    expect(() => parseNativeChoice('on')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', meta: { setting: 'TF_NATIVE' } }));
  });
});

describe('the prebuilt binary', () => {
  it('was built from the sources beside it (else: npm run build:native -- --prebuilt, and commit it)', () => {
    expect(builtSourceHash(PREBUILT_KERNELS_PATH)).toBe(kernelsSourceHash());
  });

  it('is offered on Linux x64 with glibc only, saying why elsewhere', () => {
    expect(kernelsBinaries({ platform: 'linux', arch: 'x64', glibc: '2.36' }).map((b) => [b.from, b.unsupported])).toEqual([
      ['build', undefined],
      ['prebuilt', undefined],
    ]);
    expect(kernelsBinaries({ platform: 'darwin', arch: 'arm64' })[1].unsupported).toBe('none for darwin-arm64');
    expect(kernelsBinaries({ platform: 'linux', arch: 'x64' })[1].unsupported).toBe('none for a libc other than glibc');
  });

  (process.platform === 'linux' && process.arch === 'x64' ? it : it.skip)('serves when nothing was compiled', () => {
    const loaded = loadNativeKernels([{ from: 'build', file: path.join(os.tmpdir(), 'no-such-build.node') }, ...kernelsBinaries().slice(1)]);
    if (!('kernels' in loaded)) throw new Error(loaded.error);
    expect(loaded.from).toBe('prebuilt');
    const heap = new Float32Array([1, 2, 3, 4, 0, 0]); // [1 2] · [3; 4] = 11
    loaded.kernels.gemm(heap.buffer, 1, 1, 1, 2, 0, 0, 0, 0, 2, 0, 4);
    expect(heap[4]).toBe(11);
  });
});

describe('loadNativeKernels refusals', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernels-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A copy of the kernels' sources with one comment added: what a binary built before an edit is checked against. */
  function editedSources(): string {
    const src = path.join(dir, 'src');
    fs.cpSync(KERNELS_SOURCES, src, { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
    fs.appendFileSync(path.join(src, 'gemm.c'), '/* edited */\n');
    return src;
  }

  it('never loads a binary built from other sources, and says what to run', () => {
    const src = editedSources();
    const load = jest.fn();
    const binaries = [{ from: 'build' as const, file: NATIVE_KERNELS_PATH }, { from: 'prebuilt' as const, file: PREBUILT_KERNELS_PATH }];
    const loaded = loadNativeKernels(binaries, () => kernelsSourceHash(src), load);
    expect(load).not.toHaveBeenCalled();
    expect('error' in loaded && loaded.error).toMatch(
      /^compiled: built from other sources \(\w{12}, sources \w{12}\): run npm run build:native; prebuilt: built from other sources .*: run npm run build:native -- --prebuilt$/,
    );
  });

  it('never loads a binary that carries no source hash (one older than the check)', () => {
    const file = path.join(dir, 'native_kernels.node');
    fs.writeFileSync(file, Buffer.from('\x7fELF an older build'));
    const load = jest.fn();
    const loaded = loadNativeKernels([{ from: 'build', file }], () => kernelsSourceHash(), load);
    expect(load).not.toHaveBeenCalled();
    expect(loaded).toEqual({ error: expect.stringMatching(/^compiled: built from other sources \(no hash, /) });
  });

  it('says so when nothing was built and no prebuilt fits, or the sources are missing', () => {
    const missing = loadNativeKernels([
      { from: 'build', file: path.join(dir, 'absent.node') },
      { from: 'prebuilt', file: PREBUILT_KERNELS_PATH, unsupported: 'none for darwin-arm64' },
    ]);
    expect(missing).toEqual({ error: 'compiled: not built (npm install found no C compiler, or its build failed); prebuilt: none for darwin-arm64' });
    const noSources = loadNativeKernels(kernelsBinaries(), () => kernelsSourceHash(dir));
    expect('error' in noSources && noSources.error).toMatch(/^the kernel sources to check a binary against are missing \(no kernel sources in /);
  });
});
