import { AppError } from '../common/errors';

/** Tokenizer and corpus files this module cannot read; `meta` names the file (and line) involved. */
export type TokenizationErrorCode =
  | 'TOKENIZER_FILE_MISSING'
  | 'TOKENIZER_FILE_CORRUPT'
  | 'CORPUS_FORMAT_UNKNOWN'
  | 'CORPUS_LINE_MALFORMED';

export abstract class TokenizationError<C extends TokenizationErrorCode = TokenizationErrorCode> extends AppError<C> {}

/** `<dir>/tokenizer.json` is absent, unreadable, or not a tokenizer this project wrote. */
export class TokenizerFileError extends TokenizationError<'TOKENIZER_FILE_MISSING' | 'TOKENIZER_FILE_CORRUPT'> {
  constructor(
    code: 'TOKENIZER_FILE_MISSING' | 'TOKENIZER_FILE_CORRUPT',
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${file}: ${detail}`, { file }, options);
  }
}

/** A corpus file whose format cannot be chosen, or one of its lines when the caller asked to reject bad lines. */
export class CorpusError extends TokenizationError<'CORPUS_FORMAT_UNKNOWN' | 'CORPUS_LINE_MALFORMED'> {
  constructor(
    code: 'CORPUS_FORMAT_UNKNOWN' | 'CORPUS_LINE_MALFORMED',
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(code, `${line === undefined ? file : `${file}:${line}`}: ${detail}`, { file, line });
  }
}
