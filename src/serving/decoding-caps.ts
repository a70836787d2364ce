import type { ChatDecoding } from '../chat/chat.schemas';
import { decodingSchema } from '../generation';

/** What a chat client may ask for (CHAT_MAX_* settings, CHAT_IGNORE_EOS), on the socket and on /v1 alike. */
export interface DecodingCaps {
  maxTokens: number;
  beamWidth: number;
  candidates: number;
  /** Whether a client may keep decoding through eos (a reply then always costs maxTokens steps). */
  ignoreEos: boolean;
}

/**
 * The first setting the client gave that is over its cap: its name and the cap (false: not allowed at all).
 * Only what the client asked is checked: the server's own defaults are its operator's business.
 */
export function overCap(decoding: ChatDecoding, caps: DecodingCaps): { field: keyof DecodingCaps; max: number | false } | undefined {
  if (decoding.maxTokens !== undefined && decoding.maxTokens > caps.maxTokens) return { field: 'maxTokens', max: caps.maxTokens };
  if (decoding.beamWidth !== undefined && decoding.beamWidth > caps.beamWidth) return { field: 'beamWidth', max: caps.beamWidth };
  if (decoding.candidates !== undefined && decoding.candidates > caps.candidates) return { field: 'candidates', max: caps.candidates };
  if (decoding.ignoreEos === true && !caps.ignoreEos) return { field: 'ignoreEos', max: false };
  return undefined;
}

const DEFAULTS = decodingSchema.parse({});

/** Decoder rows a reply keeps busy: its beam, or its sample-and-rank candidates (one for a plain reply). */
export function decodingRows(decoding: ChatDecoding): number {
  return decoding.strategy === 'beam' ? (decoding.beamWidth ?? DEFAULTS.beamWidth) : (decoding.candidates ?? DEFAULTS.candidates);
}
