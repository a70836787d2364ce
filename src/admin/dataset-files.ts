import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../common/errors';

/**
 * A corpus file named in a request, as an absolute path that is inside one of `roots` (CORPUS_DIR,
 * DATA_DIR). Relative names are taken from the first root. The check is made on the name and again on
 * the real path, so neither `../` nor a symbolic link leads outside. Problems are 400s naming `field`.
 */
export async function resolveDatasetFile(field: string, given: string, roots: readonly string[]): Promise<string> {
  const outside = () => new InvalidInputError(`${field}: ${given} is outside CORPUS_DIR and DATA_DIR`, { field });
  const resolved = path.resolve(roots[0], given);
  if (!roots.some((root) => isInside(root, resolved))) throw outside();
  const real = await fs.realpath(resolved).catch(() => {
    throw new InvalidInputError(`${field}: file ${given} not found`, { field });
  });
  const realRoots = await Promise.all(roots.map((root) => fs.realpath(root).catch(() => root)));
  if (!realRoots.some((root) => isInside(root, real))) throw outside();
  if (!(await fs.stat(real)).isFile()) throw new InvalidInputError(`${field}: ${given} is not a file`, { field });
  return real;
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(path.resolve(root), file);
  return relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
}
