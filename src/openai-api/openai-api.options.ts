import type { ChatDecoding } from '../chat/chat.schemas';
import type { AppConfig } from '../config';

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
  /**
   * Replies in flight over the whole service (decoding or waiting for a batch place, socket chat included) beyond
   * which a request is refused with 429 and Retry-After. Four full batches: past that a new reply would wait more
   * than a few batch rounds for its first token. The serving scheduler (fair admission, caps) will take this over.
   */
  maxRepliesInFlight: number;
  /** CHAT_API_STORE: store each exchange as a conversation. */
  storeConversations: boolean;
  /** DEFAULT_DECODING: the decoding of a request that picks none (see planChoices). */
  defaultDecoding: ChatDecoding;
}

export const OPENAI_API_OPTIONS = Symbol('OPENAI_API_OPTIONS');
export const MAX_REPLIES_IN_FLIGHT = 128;

export function openAiApiOptions(config: AppConfig): OpenAiApiOptions {
  return {
    apiKeys: config.chatApiKeys ?? [],
    maxMessageChars: config.maxMessageChars,
    maxConversationTurns: config.maxConversationTurns,
    inactiveVersions: config.chatInactiveVersions,
    maxRepliesInFlight: MAX_REPLIES_IN_FLIGHT,
    storeConversations: config.chatApiStore,
    defaultDecoding: config.defaultDecoding,
  };
}
