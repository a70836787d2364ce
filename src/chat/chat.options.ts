import type { AppConfig } from '../config';
import type { RateLimit } from './rate-limiter';

/** Tunables of the chat gateway, built from AppConfig; tests override the CHAT_OPTIONS provider. */
export interface ChatOptions {
  maxMessageChars: number;
  /**
   * Per socket, over every client event. The defaults (CHAT_RATE_BURST 10, CHAT_RATE_PER_SECOND 5) are far above a
   * person typing (a reply must end before the next message anyway), low enough that one socket cannot flood the
   * database with conversations or rejected events.
   */
  rateLimit: RateLimit;
}

export const CHAT_OPTIONS = Symbol('CHAT_OPTIONS');

export function chatOptions(config: AppConfig): ChatOptions {
  return { maxMessageChars: config.maxMessageChars, rateLimit: config.chatRateLimit };
}
