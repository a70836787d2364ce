/**
 * How the comparison decodes, and why each setting is there.
 *
 * Sampled protocols (N replies per context) separate the two sources of variety (issue #10):
 *   sample         token sampling at T = 1 with z ~ p(z|c): DialogWAE's sampler, the main table;
 *   greedy-z       greedy tokens with z ~ p(z|c): VHRED's variety from z alone;
 *   sample-mean-z  token sampling with z = E[z|c]: variety from the tokens alone.
 * HRED has no z: greedy-z is one deterministic reply repeated N times (inter-distinct collapses, and
 * the report says so), and sample-mean-z is the same as sample.
 *
 * Corpus decodings (one reply per context, Li et al. 2016's distinct-n): greedy and beam with
 * z = E[z|c], and the first reply of `sample`.
 *
 * Row seeds depend only on (run seed, context, sample index), so HRED and VHRED, every protocol and
 * every temperature draw from the same random streams: sample k of greedy-z uses the same z as
 * sample k of sample.
 */
import type { ModelKind } from '../../models/model-config';
import type { DecodingInput } from '../../generation';

export const PROTOCOL_MODES = ['sample', 'greedy-z', 'sample-mean-z'] as const;
export type ProtocolMode = (typeof PROTOCOL_MODES)[number];

export const PROTOCOL_MODE_LABELS: Record<ProtocolMode, string> = {
  sample: 'token sampling (T = 1), z ~ prior',
  'greedy-z': 'greedy tokens, z ~ prior',
  'sample-mean-z': 'token sampling (T = 1), z = prior mean',
};

export const CORPUS_DECODINGS = ['greedy', 'beam', 'sample'] as const;
export type CorpusDecoding = (typeof CORPUS_DECODINGS)[number];

export const BEAM_WIDTH = 4;

export function protocolDecoding(mode: ProtocolMode, temperature = 1): DecodingInput {
  switch (mode) {
    case 'sample':
      return { strategy: 'sample', temperature, latent: 'sample' };
    case 'greedy-z':
      return { strategy: 'greedy', latent: 'sample' };
    case 'sample-mean-z':
      return { strategy: 'sample', temperature, latent: 'mean' };
  }
}

export const GREEDY: DecodingInput = { strategy: 'greedy', latent: 'mean' };
export const BEAM: DecodingInput = { strategy: 'beam', beamWidth: BEAM_WIDTH, latent: 'mean' };

/** True when every reply under `decoding` is the same for a given context (nothing random is used). */
export function isDeterministic(kind: ModelKind, decoding: DecodingInput): boolean {
  return decoding.strategy !== 'sample' && (kind !== 'vhred' || decoding.latent === 'mean');
}

/** What actually changes the replies of this model: z settings mean nothing without z. */
export function effectiveDecodingKey(kind: ModelKind, decoding: DecodingInput): string {
  const { latent, ...rest } = decoding;
  return JSON.stringify(kind === 'vhred' ? { ...rest, latent } : rest);
}

/** One distinct decoding of a comparison and how many replies it takes per context. */
export interface PlannedDecoding {
  readonly decoding: DecodingInput;
  /** N (samples) where anything is random, 1 where every reply would be the same. */
  readonly replies: number;
}

/**
 * The distinct decodings a comparison runs for one model, by effectiveDecodingKey, in the order it decodes them:
 * the protocols, the temperatures, greedy. Settings that cannot differ for this model are decoded once and reused.
 */
export function plannedDecodings(kind: ModelKind, samples: number, temperatures: readonly number[]): Map<string, PlannedDecoding> {
  const planned = new Map<string, PlannedDecoding>();
  const plan = (decoding: DecodingInput) => {
    const key = effectiveDecodingKey(kind, decoding);
    if (!planned.has(key)) planned.set(key, { decoding, replies: isDeterministic(kind, decoding) ? 1 : samples });
  };
  PROTOCOL_MODES.forEach((mode) => plan(protocolDecoding(mode)));
  temperatures.forEach((t) => plan(protocolDecoding('sample', t)));
  plan(GREEDY);
  return planned;
}

/** Replies one model decodes per test context (every planned decoding), plus its beam search: a comparison's cost. */
export function decodesPerContext(kind: ModelKind, samples: number, temperatures: readonly number[]): number {
  let decodes = 1; // the beam search
  for (const { replies } of plannedDecodings(kind, samples, temperatures).values()) decodes += replies;
  return decodes;
}

/** A 32-bit seed per (run seed, context, sample): murmur3's finaliser over the three. */
export function rowSeed(seed: number, context: number, sample: number): number {
  let h = (seed ^ Math.imul(context + 1, 0x9e3779b1) ^ Math.imul(sample + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
