import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TokenizerFileError } from './tokenization-errors';
import { SPECIAL_TOKENS } from './tokenizer';

export const TOKENIZER_FILE_NAME = 'tokenizer.json';
const FORMAT = 'hred-chat-tokenizer';
const VERSION = 1;

const hfTokenizerSchema = z.looseObject({
  pre_tokenizer: z.unknown(),
  model: z.looseObject({
    type: z.literal('BPE'),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
});

const savedTokenizerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('word'), lowercase: z.boolean(), vocab: z.array(z.string()) }),
  // `huggingface` is a complete tokenizer JSON of the `tokenizers` library (see subword-definition.ts).
  z.object({ kind: z.literal('subword'), lowercase: z.boolean(), huggingface: hfTokenizerSchema }),
]);

const fileSchema = z.intersection(
  z.object({
    format: z.literal(FORMAT),
    version: z.literal(VERSION),
    specialTokens: z
      .array(z.string())
      .refine((tokens) => tokens.join() === SPECIAL_TOKENS.join(), `must be ${SPECIAL_TOKENS.join(', ')} (ids 0..3)`),
  }),
  savedTokenizerSchema,
);

/** What a tokenizer kind saves; `loadTokenizer` turns it back into a Tokenizer. */
export type SavedTokenizer = z.infer<typeof savedTokenizerSchema>;

export function tokenizerFilePath(dir: string): string {
  return join(dir, TOKENIZER_FILE_NAME);
}

/**
 * Writes `<dir>/tokenizer.json` through a temporary file and a rename, so a process loading the
 * model at the same moment never reads half a file. The special tokens are written out so the file
 * documents its own ids.
 */
export async function writeTokenizerFile(dir: string, saved: SavedTokenizer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = tokenizerFilePath(dir);
  const partial = `${file}.${randomUUID()}.tmp`;
  const content = { format: FORMAT, version: VERSION, specialTokens: SPECIAL_TOKENS, ...saved };
  try {
    await writeFile(partial, JSON.stringify(content));
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

/** Reads and validates `<dir>/tokenizer.json`; throws TokenizerFileError (MISSING or CORRUPT) naming the file. */
export async function readTokenizerFile(dir: string): Promise<SavedTokenizer> {
  const file = tokenizerFilePath(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TokenizerFileError('TOKENIZER_FILE_MISSING', file, 'no tokenizer file; train or copy one into the model folder');
    throw new TokenizerFileError('TOKENIZER_FILE_CORRUPT', file, `cannot be read (${code})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenizerFileError('TOKENIZER_FILE_CORRUPT', file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new TokenizerFileError('TOKENIZER_FILE_CORRUPT', file, `is not a ${FORMAT} v${VERSION} file:\n${z.prettifyError(parsed.error)}`);
  }
  const { format: _format, version: _version, specialTokens: _specials, ...saved } = parsed.data;
  return saved as SavedTokenizer;
}
