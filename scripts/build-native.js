#!/usr/bin/env node
// Builds the optional native kernels (native/kernels) after `npm install`. It needs OpenBLAS's headers
// (Debian: libopenblas-dev) and a C compiler; without them the service runs on tfjs's own WASM kernels,
// so a failed build warns and exits 0 instead of failing the install.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.resolve(__dirname, '..', 'native', 'kernels');
const headers = ['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/openblas/cblas.h'];
if (!headers.some((h) => fs.existsSync(h))) {
  console.warn('native/kernels: no cblas.h (apt-get install libopenblas-dev): the WASM backend keeps its own kernels');
  process.exit(0);
}
// npm puts its node-gyp on PATH for lifecycle scripts; run by hand, use the one npm ships.
const npmGyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const [cmd, args] = fs.existsSync(npmGyp) ? [process.execPath, [npmGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
// Node's own headers (offline, node-gyp must not download them): beside this node binary, unless npm says where.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? { npm_config_nodedir: prefix } : {};
const result = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...nodedir, ...process.env } });
if (result.status !== 0) {
  const why = result.error ? result.error.message : String(result.stderr).split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join('\n');
  console.warn(`native/kernels: build failed, the WASM backend keeps its own kernels\n${why}`);
  process.exit(0);
}
console.log('native/kernels: built (OpenBLAS products, fused softmax cross-entropy, GRU gates and sequences, the attention decoder, Adam for the WASM backend)');
