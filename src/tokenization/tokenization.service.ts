import { Injectable } from '@nestjs/common';
import { resolve } from 'node:path';
import { loadTokenizer } from './load-tokenizer';
import { Tokenizer } from './tokenizer';

/** Hands out the tokenizer saved in a model folder, loading each folder once. */
@Injectable()
export class TokenizationService {
  // Promises, not tokenizers, so concurrent first requests for one model share a single load.
  private readonly cache = new Map<string, Promise<Tokenizer>>();

  /** Throws TokenizerFileError (MISSING / CORRUPT); a failed load is not cached, so a fixed file loads next time. */
  forModel(modelDir: string): Promise<Tokenizer> {
    const key = resolve(modelDir);
    let loading = this.cache.get(key);
    if (!loading) {
      loading = loadTokenizer(key);
      this.cache.set(key, loading);
      loading.catch(() => this.cache.delete(key));
    }
    return loading;
  }

  /** Forget a folder's tokenizer, e.g. after a model is retrained in place. */
  evict(modelDir: string): void {
    this.cache.delete(resolve(modelDir));
  }
}
