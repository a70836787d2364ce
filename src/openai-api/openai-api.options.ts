import type { ChatDecoding } from '../chat/chat.schemas';
import type { AppConfig } from '../config';
import type { DecodingCaps } from '../serving/decoding-caps';

/** Tunables of the OpenAI-compatible API, built from AppConfig; tests override the OPENAI_API_OPTIONS provider. */
export interface OpenAiApiOptions {
  /** CHAT_API_KEYS; empty: the API is open, like the socket chat. */
  apiKeys: string[];
  /** MAX_MESSAGE_CHARS, the socket chat's limit, per message. */
  maxMessageChars: number;
  /** MAX_CONVERSATION_TURNS, the socket chat's limit: most messages in a request. */
  maxConversationTurns: number;
  /** CHAT_INACTIVE_VERSIONS: whether `model` may name a version that is not its kind's active one. */
  inactiveVersions: boolean;
  /** The socket chat's caps (CHAT_MAX_TOKENS, CHAT_MAX_BEAM_WIDTH, CHAT_MAX_CANDIDATES, CHAT_IGNORE_EOS): over one, 400 naming it. */
  decodingCaps: DecodingCaps;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client (clientAddress), for the per-address admission. */
  trustedProxies: ReadonlySet<string>;
  /** CHAT_API_STORE: store each exchange as a conversation. */
  storeConversations: boolean;
  /** DEFAULT_DECODING: the decoding of a request that picks none (see planChoices). */
  defaultDecoding: ChatDecoding;
}

export const OPENAI_API_OPTIONS = Symbol('OPENAI_API_OPTIONS');

export function openAiApiOptions(config: AppConfig): OpenAiApiOptions {
  return {
    apiKeys: config.chatApiKeys ?? [],
    maxMessageChars: config.maxMessageChars,
    maxConversationTurns: config.maxConversationTurns,
    inactiveVersions: config.chatInactiveVersions,
    decodingCaps: config.chatDecodingCaps,
    trustedProxies: new Set(config.trustedProxies),
    storeConversations: config.chatApiStore,
    defaultDecoding: config.defaultDecoding,
  };
}
