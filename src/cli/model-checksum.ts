/**
 * npm run model:checksum -- <model dir>...
 * Records the sha256 of each folder's weights in its model.json (format 2), the weights untouched, for models saved
 * before checksums (format 1), which otherwise load unverified. A folder whose weights do not decode is refused.
 */
import { recordChecksums } from '../models/model-files';
import { initTensorBackend } from '../tensor/backend';

async function main(dirs: string[]): Promise<void> {
  if (dirs.length === 0) {
    console.error('Usage: npm run model:checksum -- <model dir>...');
    process.exitCode = 2;
    return;
  }
  await initTensorBackend('cpu'); // decoding the weights once, to refuse a damaged file, needs no fast kernels
  for (const dir of dirs) {
    const { formatVersion, sha256 } = await recordChecksums(dir);
    const files = Object.entries(sha256).map(([file, hash]) => `${file} sha256 ${hash}`).join(', ');
    console.log(`${dir}: format ${formatVersion.from} → ${formatVersion.to}, ${files}`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`model:checksum: ${err.message}`);
  process.exitCode = 1;
});
