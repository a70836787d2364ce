import type { AppConfig } from '../config';
import type { DecodingInput } from '../generation/decoding-options';
import type { RateLimit } from './rate-limiter';

/** Tunables of the chat gateway, built from AppConfig; tests override the CHAT_OPTIONS provider. */
export interface ChatOptions {
  /** UTF-16 code units, as the HTML maxlength attribute counts. */
  maxMessageChars: number;
  /** MAX_CONVERSATION_TURNS: stored turns after which a conversation takes no more messages. */
  maxConversationTurns: number;
  /** CHAT_INACTIVE_VERSIONS: whether a client may pin a version that is not its kind's active one. */
  inactiveVersions: boolean;
  /**
   * Per socket, over every client event. The defaults (CHAT_RATE_BURST 10, CHAT_RATE_PER_SECOND 5) are far above a
   * person typing (a reply must end before the next message anyway), low enough that one socket cannot flood the
   * database with conversations or rejected events.
   */
  rateLimit: RateLimit;
  /** DEFAULT_DECODING: a new conversation's decoding when the client picks no strategy (see withDefaultDecoding). */
  defaultDecoding: DecodingInput;
}

export const CHAT_OPTIONS = Symbol('CHAT_OPTIONS');

export function chatOptions(config: AppConfig): ChatOptions {
  return {
    maxMessageChars: config.maxMessageChars,
    maxConversationTurns: config.maxConversationTurns,
    inactiveVersions: config.chatInactiveVersions,
    rateLimit: config.chatRateLimit,
    defaultDecoding: config.defaultDecoding,
  };
}
