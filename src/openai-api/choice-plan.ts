/**
 * How the `n` choices of a request are decoded, from OpenAI's fields and the project's `decoding`.
 *
 * OpenAI's fields are shorthands for decoding settings: max_tokens (or max_completion_tokens) → maxTokens, seed,
 * top_p → topP, temperature → temperature; temperature 0 means greedy. Unless `decoding.strategy` says otherwise:
 *   - temperature > 0 or top_p → sampling;
 *   - n > 1: VHRED decodes greedily with a different z per choice (its latent variable is its natural source of
 *     variety); HRED and Seq2Seq sample, so that the n choices differ;
 *   - otherwise the service's default (DEFAULT_DECODING, beam 4 unless configured; VHRED still draws z).
 * With `decoding.strategy: "beam"` the choices are the n best hypotheses of one beam search (nBest = n).
 * Each row gets its own seed: seed + i when a seed is given (the whole response repeats), a random one otherwise.
 */
import type { ChatDecoding } from '../chat/chat.schemas';
import { withDefaultDecoding } from '../generation/default-decoding';
import type { ModelKind } from '../models/model-config';
import { decodingRows } from '../serving/decoding-caps';
import type { ChatCompletionRequest } from './chat-completion.schema';

export type ChoicePlan =
  /** One reply (batch row) per choice. */
  | { strategy: 'rows'; decodings: ChatDecoding[] }
  /** One beam search whose n best hypotheses are the choices. */
  | { strategy: 'beam'; decoding: ChatDecoding; n: number };

type PlanInput = Partial<Pick<ChatCompletionRequest, 'n' | 'temperature' | 'top_p' | 'max_tokens' | 'max_completion_tokens' | 'seed' | 'decoding'>>;

export function planChoices(request: PlanInput, kind: ModelKind, serviceDefault: ChatDecoding): ChoicePlan {
  const n = request.n ?? 1;
  let d: ChatDecoding = { ...request.decoding };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) d.maxTokens = maxTokens;
  if (request.seed != null) d.seed = request.seed;
  if (request.top_p != null) d.topP = request.top_p;
  if (request.temperature != null && request.temperature > 0) d.temperature = request.temperature;
  if (d.strategy === undefined) {
    const sampling = (request.temperature != null && request.temperature > 0) || request.top_p != null;
    if (request.temperature === 0) d.strategy = 'greedy';
    else if (sampling || (n > 1 && kind !== 'vhred')) d.strategy = 'sample';
    else if (n === 1) d = withDefaultDecoding(d, serviceDefault);
  }
  if (d.strategy === 'beam') return { strategy: 'beam', decoding: { ...d, nBest: n, beamWidth: d.beamWidth ?? Math.max(4, n) }, n };
  const seeds = Array.from({ length: n }, (_, i) => (d.seed === undefined ? undefined : (d.seed + i) >>> 0));
  return { strategy: 'rows', decodings: seeds.map((seed) => ({ ...d, seed })) };
}

/** Decoder rows the plan keeps busy (what the reply scheduler admits): each choice's candidates, or the beam. */
export function planRows(plan: ChoicePlan): number {
  return plan.strategy === 'rows' ? plan.decodings.reduce((rows, d) => rows + decodingRows(d), 0) : decodingRows(plan.decoding);
}
