import type { AppConfig } from '../config';
import type { RateLimit } from './rate-limiter';

/** Tunables of the chat gateway, built from AppConfig; tests override the CHAT_OPTIONS provider. */
export interface ChatOptions {
  maxMessageChars: number;
  /** Per socket, over every client event. */
  rateLimit: RateLimit;
}

export const CHAT_OPTIONS = Symbol('CHAT_OPTIONS');

/**
 * 10 events at once, then 5 a second: far above a person typing (a reply must end before the next message anyway),
 * low enough that one socket cannot flood the database with conversations or rejected events.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 10, perSecond: 5 };

export function chatOptions(config: AppConfig): ChatOptions {
  return { maxMessageChars: config.maxMessageChars, rateLimit: DEFAULT_RATE_LIMIT };
}
