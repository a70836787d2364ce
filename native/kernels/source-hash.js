#!/usr/bin/env node
// The hash of the native kernels' sources (every .c, .h and binding.gyp here, by name and content). binding.gyp
// builds it into the binary; the loader (src/tensor/native-kernels.ts) refuses a binary whose hash differs from the
// sources beside it, so a build or prebuilt binary older than the code never runs. Run: prints the hash.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function kernelsSourceHash(dir = __dirname) {
  const hash = crypto.createHash('sha256');
  const files = fs.readdirSync(dir).filter((f) => /\.(c|h)$/.test(f) || f === 'binding.gyp').sort();
  if (!files.length) throw new Error(`no kernel sources in ${dir}`);
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(dir, f))).update('\0');
  return hash.digest('hex');
}

module.exports = { kernelsSourceHash };
if (require.main === module) process.stdout.write(kernelsSourceHash());
