import { createHash } from 'node:crypto';

/** The share of collected conversations held out from retraining to validate on, unless a run asks for another. */
export const DEFAULT_HELD_OUT_FRACTION = 0.1;

/**
 * Where a conversation falls in [0, 1), from a hash of its id alone: the held-out slice is fixed. A conversation
 * held out once is held out by every later export with the same or a larger fraction, so it is never trained on and
 * runs months apart are validated on the same conversations (plus the newer ones).
 */
export function heldOutPosition(conversationId: string): number {
  return createHash('sha256').update(`held-out:${conversationId.toLowerCase()}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function isHeldOut(conversationId: string, fraction: number): boolean {
  return heldOutPosition(conversationId) < fraction;
}
