import type { DecodingInput } from './decoding-options';

/**
 * Settings that pick a strategy by themselves: sample-and-rank candidates and n-gram blocking apply to greedy and
 * sampled replies, sampling settings mean sampling. A request naming any of them keeps its own strategy (the
 * library's greedy unless it says `strategy`), or a default beam would refuse or silently drop what it asked for.
 */
const PICKS_A_STRATEGY = ['strategy', 'candidates', 'noRepeatNgram', 'temperature', 'topK', 'topP'] as const;

/**
 * The decoding a reply uses: the request's settings over the service's default (DEFAULT_DECODING), unless the
 * request picks a strategy itself, in which case it is taken as it is.
 */
export function withDefaultDecoding<D extends DecodingInput>(requested: D, serviceDefault: D): D {
  if (PICKS_A_STRATEGY.some((key) => requested[key] !== undefined)) return requested;
  return { ...serviceDefault, ...requested };
}
