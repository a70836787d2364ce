import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../../src/common/errors';
import { ConversationFullError } from '../../../src/conversations/conversation-errors';
import type { BotTurnUpdate, NewConversation, NewTurn } from '../../../src/conversations/conversation.types';
import type { ConversationsRepository } from '../../../src/conversations/conversations.repository';
import type { Conversation, Feedback, Turn } from '../../../src/generated/prisma/client';

type Used = 'createConversation' | 'findConversation' | 'appendTurn' | 'appendExchange' | 'updateBotTurn' | 'findTurn' | 'findTurns' | 'setAllowTraining' | 'upsertFeedback';

/**
 * ConversationsRepository in memory, for unit specs of the services above it (the real one is covered against
 * PGlite in test/conversations). Same contract: indices 0..n-1, a clientMessageId answered with its stored turn,
 * maxTurns refused with ConversationFullError, an exchange stored all or nothing (its `nextIndex` hint is not needed
 * here). `failNext` makes the next call of a method reject, as an outage would.
 */
export class FakeConversationsRepository implements Pick<ConversationsRepository, Used> {
  readonly conversations = new Map<string, Conversation>();
  readonly turns: Turn[] = [];
  readonly feedback: Feedback[] = [];
  private readonly failures = new Map<Used, unknown>();

  /** The real repository's type, for the constructors that take one. */
  get asRepository(): ConversationsRepository {
    return this as Pick<ConversationsRepository, Used> as ConversationsRepository;
  }

  failNext(method: Used, error: unknown): void {
    this.failures.set(method, error);
  }

  turnsOf(conversationId: string): Turn[] {
    return this.turns.filter((t) => t.conversationId === conversationId).sort((a, b) => a.index - b.index);
  }

  async createConversation(input: NewConversation & { tokenHash: string }): Promise<Conversation> {
    this.fail('createConversation');
    const now = new Date();
    const conversation: Conversation = {
      id: randomUUID(),
      tokenHash: input.tokenHash,
      modelVersionId: input.modelVersionId ?? null,
      decoding: (input.decoding ?? null) as Conversation['decoding'],
      compareModelIds: input.compareModelIds ?? [],
      allowTraining: input.allowTraining ?? true,
      createdAt: now,
      updatedAt: now,
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  async findConversation(id: string): Promise<Conversation | null> {
    this.fail('findConversation');
    return this.conversations.get(id) ?? null;
  }

  async appendTurn(conversationId: string, input: NewTurn, maxTurns?: number): Promise<{ turn: Turn; created: boolean }> {
    this.fail('appendTurn');
    const { turns, created } = this.append(conversationId, [input], maxTurns);
    return { turn: turns[0], created };
  }

  async appendExchange(conversationId: string, user: NewTurn, bots: NewTurn[], options: { maxTurns?: number; nextIndex?: number }): Promise<{ turns: Turn[]; created: boolean }> {
    this.fail('appendExchange');
    return this.append(conversationId, [user, ...bots], options.maxTurns);
  }

  private append(conversationId: string, [first, ...rest]: NewTurn[], maxTurns: number | undefined): { turns: Turn[]; created: boolean } {
    if (!this.conversations.has(conversationId)) throw new NotFoundError('conversation', conversationId);
    const stored = this.turnsOf(conversationId);
    const existing = first.clientMessageId === undefined ? undefined : stored.find((t) => t.clientMessageId === first.clientMessageId);
    if (existing) return { turns: [existing], created: false };
    const index = stored.length;
    if (maxTurns !== undefined && index >= maxTurns) throw new ConversationFullError(conversationId, maxTurns);
    const turns = [first, ...rest].map((input, k): Turn => ({
      id: randomUUID(),
      conversationId,
      index: index + k,
      speaker: input.speaker,
      text: input.text,
      tokenCount: input.tokenCount ?? null,
      modelVersionId: input.modelVersionId ?? null,
      decoding: (input.decoding ?? null) as Turn['decoding'],
      firstTokenMs: input.firstTokenMs ?? null,
      totalMs: input.totalMs ?? null,
      finishReason: input.finishReason ?? null,
      clientMessageId: input.clientMessageId ?? null,
      replyId: input.replyId ?? null,
      createdAt: new Date(),
    }));
    this.turns.push(...turns);
    return { turns, created: true };
  }

  async updateBotTurn(id: string, update: BotTurnUpdate): Promise<Turn | null> {
    this.fail('updateBotTurn');
    const turn = this.turns.find((t) => t.id === id && t.speaker === 'bot');
    return turn ? Object.assign(turn, update) : null;
  }

  async findTurn(where: { id: string } | { replyId: string }): Promise<Turn | null> {
    this.fail('findTurn');
    return this.turns.find((t) => ('id' in where ? t.id === where.id : t.replyId === where.replyId)) ?? null;
  }

  async findTurns(conversationId: string, before: number | undefined, limit: number): Promise<Turn[]> {
    this.fail('findTurns');
    const older = this.turnsOf(conversationId).filter((t) => before === undefined || t.index < before);
    return older.slice(Math.max(0, older.length - limit));
  }

  async setAllowTraining(id: string, allowTraining: boolean): Promise<boolean> {
    this.fail('setAllowTraining');
    const conversation = this.conversations.get(id);
    if (conversation) conversation.allowTraining = allowTraining;
    return conversation !== undefined;
  }

  async upsertFeedback(turn: Turn, input: { rating: number; preferred?: boolean }): Promise<Feedback> {
    this.fail('upsertFeedback');
    const now = new Date();
    const found = this.feedback.find((f) => f.turnId === turn.id);
    if (found) return Object.assign(found, { rating: input.rating, preferred: input.preferred ?? found.preferred, updatedAt: now });
    const created: Feedback = { id: randomUUID(), turnId: turn.id, rating: input.rating, preferred: input.preferred ?? null, createdAt: now, updatedAt: now };
    this.feedback.push(created);
    return created;
  }

  private fail(method: Used): void {
    if (!this.failures.has(method)) return;
    const error = this.failures.get(method);
    this.failures.delete(method);
    throw error;
  }
}
