/**
 * Token choice from one row of logits, as pure functions on Float32Array so each can be checked by hand.
 * Order of application (as in HF transformers): temperature → top-k → top-p → softmax → draw.
 * Masked entries become -Infinity, so softmax gives them probability 0.
 */

/** Index of the largest logit; the first one on ties (as tf.argMax). */
export function argmax(logits: ArrayLike<number>, offset = 0, length = logits.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = logits[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** logits / T. T must be > 0 (T → 0 is greedy: use the greedy strategy instead). */
export function applyTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  if (temperature === 1) return logits.slice();
  return logits.map((x) => x / temperature);
}

/** Keeps the k largest logits (ties with the k-th are kept, as HF does); k ≤ 0 or ≥ V keeps all. */
export function topKMask(logits: Float32Array, k: number): Float32Array {
  if (k <= 0 || k >= logits.length) return logits.slice();
  const kth = [...logits].sort((a, b) => b - a)[k - 1];
  return logits.map((x) => (x < kth ? -Infinity : x));
}

/**
 * Nucleus filter (Holtzman et al. 2020): keeps the smallest set of most probable tokens whose
 * probabilities sum to at least p; the token that crosses p is kept, so at least one always is.
 */
export function topPMask(logits: Float32Array, p: number): Float32Array {
  if (p >= 1) return logits.slice();
  const probs = softmax(logits);
  const order = Array.from(probs.keys())
    .filter((i) => probs[i] > 0)
    .sort((a, b) => probs[b] - probs[a] || a - b);
  const keep = new Uint8Array(logits.length);
  let cumulative = 0;
  for (const i of order) {
    keep[i] = 1;
    cumulative += probs[i];
    if (cumulative >= p) break;
  }
  return logits.map((x, i) => (keep[i] ? x : -Infinity));
}

/** Numerically stable softmax in float64 (probabilities of 8,000 entries lose too much in float32). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Inverse-CDF draw: the first index whose cumulative probability exceeds u ∈ [0, 1). */
export function drawIndex(probs: ArrayLike<number>, u: number): number {
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u within rounding of 1
}

export interface SamplingSettings {
  temperature: number;
  /** 0 disables. */
  topK: number;
  /** 1 disables. */
  topP: number;
}

/** One sampled token from a logits row with a uniform u ∈ [0, 1). */
export function sampleToken(logits: Float32Array, s: SamplingSettings, u: number): number {
  let x = applyTemperature(logits, s.temperature);
  if (s.topK > 0) x = topKMask(x, s.topK);
  if (s.topP < 1) x = topPMask(x, s.topP);
  return drawIndex(softmax(x), u);
}

/** log softmax(logits)[id] in float64: what a token costs under the model, whatever filter chose it. */
export function logProbability(logits: ArrayLike<number>, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

/**
 * No repeated n-gram inside a reply (Paulus et al. 2018's trigram blocking): every token that would complete an
 * n-gram already in `ids` gets −∞. A copy; `logits` is left alone. n < 2 or too few ids: nothing is blocked.
 */
export function blockRepeatedNgrams(logits: Float32Array, ids: readonly number[], n: number): Float32Array {
  const out = logits.slice();
  if (n < 2 || ids.length < n - 1) return out;
  const prefix = ids.slice(ids.length - (n - 1));
  for (let start = 0; start + n <= ids.length; start++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = ids[start + j] === prefix[j];
    if (same) out[ids[start + n - 1]] = -Infinity;
  }
  return out;
}

/** What sample-and-rank ranks candidates by: log p(reply | context) per token (eos included), so length is not penalised. */
export function meanLogLikelihood(logLikelihood: number, scoredTokens: number): number {
  return scoredTokens === 0 ? -Infinity : logLikelihood / scoredTokens;
}

/** Index of the best-scoring candidate (the first on ties). */
export function bestCandidate(scores: readonly number[]): number {
  return argmax(scores);
}
