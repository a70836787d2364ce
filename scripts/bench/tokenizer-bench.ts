/**
 * Tokenizer encode throughput on DailyDialog train text, per kind (tokenizer_encode_mb_per_s):
 * MB = 10^6 bytes of raw UTF-8 turn text; both tokenizers have 8,000 entries. Each encodes every turn
 * once to warm up (the subword word cache fills), then `runs` more times; the figure is the median run.
 */
import { trainSubwordTokenizer } from '../../src/tokenization/train-subword-tokenizer';
import { Tokenizer } from '../../src/tokenization/tokenizer';
import { BenchContext, median } from './bench-context';

function encodeMbPerS(tokenizer: Tokenizer, turns: readonly string[], bytes: number, runs: number): number {
  for (const turn of turns) tokenizer.encode(turn);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (const turn of turns) tokenizer.encode(turn);
    rates.push(bytes / 1e6 / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

export async function benchTokenizers(ctx: BenchContext): Promise<void> {
  const turns = ctx.quick ? ctx.trainTurns.slice(0, 5000) : ctx.trainTurns;
  const bytes = turns.reduce((sum, turn) => sum + Buffer.byteLength(turn, 'utf8'), 0);
  const subword = await trainSubwordTokenizer(turns, { vocabSize: 8000 });
  for (const tokenizer of [ctx.tokenizer, subword]) {
    ctx.report({ metric: 'tokenizer_encode_mb_per_s', kind: tokenizer.kind, value: encodeMbPerS(tokenizer, turns, bytes, ctx.quick ? 1 : 5) });
  }
}
