import { LruCache } from '../generation';
import type { ConversationSettings } from './chat.events';
import type { ContextTurn } from './reply-context';

/** A stored turn as a reply reads it. */
export interface WindowTurn extends ContextTurn {
  index: number;
}

/**
 * What a conversation's next message needs, kept in memory between its messages: reading it from the database
 * again at every message cost three queries before each first token (issue 19). Stored turns never change but for
 * a bot turn's text when its reply ends, and every turn this instance stores goes through the session, so the copy
 * stays true. When another instance appended (the client reconnected elsewhere), `nextIndex` is stale: the store
 * refuses it (ConversationsRepository.appendExchange) and the session is read again.
 */
export interface ConversationSession {
  settings: ConversationSettings;
  /** The latest stored turns, oldest first: the latest `size` (see windowOf). */
  turns: WindowTurn[];
  size: number;
  /** The index the next stored turn gets. */
  nextIndex: number;
}

/** Sessions kept: each holds a few dozen short turns, so 10,000 are a few MB. An evicted one is read again. */
const SESSIONS = 10_000;

export class ConversationSessions {
  private readonly sessions = new LruCache<string, ConversationSession>(SESSIONS);

  get(conversationId: string): ConversationSession | undefined {
    return this.sessions.get(conversationId);
  }

  set(conversationId: string, session: ConversationSession): void {
    this.sessions.set(conversationId, session);
  }

  forget(conversationId: string): void {
    this.sessions.delete(conversationId);
  }

  /** A reply's text once it is stored (a reply left out of the window by now needs nothing). */
  replyStored(conversationId: string, index: number, text: string): void {
    const turn = this.sessions.get(conversationId)?.turns.find((t) => t.index === index);
    if (turn) turn.text = text;
  }
}

/** Turns just stored after the session's window (a user turn and its reply rows). */
export function advance(session: ConversationSession, turns: readonly WindowTurn[]): void {
  session.turns = windowOf([...session.turns, ...turns], session.size);
  session.nextIndex = turns.at(-1)!.index + 1;
}

/**
 * The latest `size` turns, never starting inside a compare group when older turns are left out (a page that starts
 * with a group's second reply would read as a group of its own): it then starts at its first user turn.
 */
export function windowOf<T extends WindowTurn>(turns: readonly T[], size: number): T[] {
  const latest = turns.slice(-size);
  if (latest.length === 0 || latest[0].index === 0) return latest;
  return latest.slice(Math.max(0, latest.findIndex((t) => t.speaker === 'user')));
}

/** Whether older turns exist than the window holds. */
export function truncated(window: readonly WindowTurn[]): boolean {
  return window.length > 0 && window[0].index > 0;
}
