import { createHash } from 'node:crypto';

/**
 * A digest of every prefix of a conversation: `digests[k]` names turns 0..k, so a conversation resent whole (the
 * OpenAI API resends every message each time) finds the state of its longest prefix seen before. Each digest chains
 * the previous one with the turn's length and text, so it costs O(text) for all prefixes together, and the length
 * keeps ["ab", "c"] apart from ["a", "bc"].
 */
export function prefixDigests(turns: readonly string[]): string[] {
  const digests: string[] = [];
  let previous = '';
  for (const turn of turns) {
    previous = createHash('sha256').update(previous).update(`${turn.length}:`).update(turn).digest('base64url');
    digests.push(previous);
  }
  return digests;
}
