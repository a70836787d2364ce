import type { AppConfig } from '../config';
import type { DecodingInput } from '../generation/decoding-options';
import type { DecodingCaps } from '../serving/decoding-caps';
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
  /** CHAT_MAX_TOKENS, CHAT_MAX_BEAM_WIDTH, CHAT_MAX_CANDIDATES, CHAT_IGNORE_EOS: what conversation:start may ask. */
  decodingCaps: DecodingCaps;
  /** CHAT_MAX_COMPARE: models in one compare conversation. */
  maxCompare: number;
  /** CHAT_SOCKETS_PER_ADDRESS: open sockets per client address; one more gets a too_many_sockets connect_error. */
  socketsPerAddress: number;
  /** CHAT_CONVERSATIONS_PER_MINUTE: conversations a client address may start per minute. */
  conversationsPerMinute: number;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client (clientAddress). */
  trustedProxies: ReadonlySet<string>;
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
    decodingCaps: config.chatDecodingCaps,
    maxCompare: config.chatMaxCompare,
    socketsPerAddress: config.chatSocketsPerAddress,
    conversationsPerMinute: config.chatConversationsPerMinute,
    trustedProxies: new Set(config.trustedProxies),
    defaultDecoding: config.defaultDecoding,
  };
}
