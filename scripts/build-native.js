#!/usr/bin/env node
// Compiles the native kernels (native/kernels) after `npm install`: node-gyp with a C compiler and Python 3, no
// library beyond libc. Without a compiler, Linux x64 (glibc) machines use the prebuilt binary in native/prebuilt
// and other machines tfjs's own WASM kernels, so a failed build warns and exits 0 instead of failing the install.
//   npm run build:native                    compile into native/kernels/build
//   npm run build:native -- --prebuilt      then copy the result to native/prebuilt/linux-x64-glibc (commit it)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'native', 'kernels');
const built = path.join(dir, 'build', 'Release', 'native_kernels.node');
const prebuiltDir = path.join(root, 'native', 'prebuilt', 'linux-x64-glibc');
const makePrebuilt = process.argv.includes('--prebuilt');

// npm puts its node-gyp on PATH for lifecycle scripts; run by hand, use the one npm ships.
const npmGyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const [cmd, args] = fs.existsSync(npmGyp) ? [process.execPath, [npmGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
// Node's own headers (offline, node-gyp must not download them): beside this node binary, unless npm says where.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? { npm_config_nodedir: prefix } : {};
const result = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...nodedir, ...process.env } });
if (result.status !== 0) {
  const why = result.error ? result.error.message : String(result.stderr).split('\n').filter((l) => /error|not found/i.test(l)).slice(0, 5).join('\n');
  const fallback =
    process.platform === 'linux' && process.arch === 'x64' && fs.existsSync(path.join(prebuiltDir, 'native_kernels.node'))
      ? 'the prebuilt binary (native/prebuilt/linux-x64-glibc, glibc >= 2.35) serves instead'
      : 'tfjs\'s own WASM kernels serve instead (training about 6x slower): install a C compiler and Python 3, then npm run build:native';
  console.warn(`native/kernels: not compiled, ${fallback}\n${why}`);
  process.exit(makePrebuilt ? 1 : 0);
}
console.log('native/kernels: compiled (matrix products, fused softmax cross-entropy, GRU gates and sequences, the attention decoder, Adam for the WASM backend)');

if (makePrebuilt) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`native/kernels: the prebuilt binary is for linux-x64, not ${process.platform}-${process.arch}`);
    process.exit(1);
  }
  fs.mkdirSync(prebuiltDir, { recursive: true });
  // without symbols: a third of the size, and the binary is committed
  const strip = spawnSync('strip', ['--strip-unneeded', '-o', path.join(prebuiltDir, 'native_kernels.node'), built], { stdio: 'inherit' });
  if (strip.status !== 0) fs.copyFileSync(built, path.join(prebuiltDir, 'native_kernels.node'));
  console.log(`native/kernels: prebuilt binary written to ${path.relative(root, prebuiltDir)} (commit it with the sources it was built from)`);
}
