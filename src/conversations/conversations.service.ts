import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { type MissingThing, NotFoundError } from '../common/errors';
import type { Conversation, Feedback, Turn } from '../generated/prisma/client';
import {
  type BotTurnUpdate,
  botTurnUpdateSchema,
  type ConversationSummary,
  type ExportOptions,
  exportOptionsSchema,
  type FeedbackInput,
  feedbackSchema,
  type HistoryQuery,
  historyQuerySchema,
  type ListQuery,
  listQuerySchema,
  type NewConversation,
  newConversationSchema,
  type NewTurn,
  newTurnSchema,
} from './conversation.types';
import { ConversationsRepository } from './conversations.repository';
import { toTrainingDialogue } from './dialogue-export';
import { isHeldOut } from './held-out';
import { isUuid } from '../common/ids';
import { parseInput } from '../common/validation';

/** A conversation as callers see it: never the token hash. */
export type ConversationInfo = Omit<Conversation, 'tokenHash'>;
export type TurnRef = { turnId: string } | { replyId: string };

const EXPORT_PAGE = 100;
/** Compared against when the conversation does not exist, so a miss takes as long as a wrong token. */
const ABSENT_HASH = hashToken('');

/** Conversation storage for the rest of the service. Every input is validated here; ids that are not UUIDs are "not found". */
@Injectable()
export class ConversationsService {
  constructor(private readonly repository: ConversationsRepository) {}

  /** The plain resume token is returned only here; only its hash is stored. */
  async start(options: NewConversation = {}): Promise<{ id: string; resumeToken: string }> {
    const input = parseInput(newConversationSchema, options);
    const resumeToken = randomBytes(32).toString('base64url');
    const { id } = await this.repository.createConversation({ ...input, tokenHash: hashToken(resumeToken) });
    return { id, resumeToken };
  }

  /** Constant-time check of a resume token; false for an unknown conversation too. */
  async verifyToken(conversationId: string, resumeToken: string): Promise<boolean> {
    const conversation = isUuid(conversationId) ? await this.repository.findConversation(conversationId) : null;
    const expected = Buffer.from(conversation?.tokenHash ?? ABSENT_HASH, 'hex');
    const matches = timingSafeEqual(expected, Buffer.from(hashToken(String(resumeToken)), 'hex'));
    return matches && conversation !== null;
  }

  async get(conversationId: string): Promise<ConversationInfo> {
    const conversation = isUuid(conversationId) ? await this.repository.findConversation(conversationId) : null;
    if (!conversation) throw new NotFoundError('conversation', conversationId);
    const { tokenHash: _, ...info } = conversation;
    return info;
  }

  /**
   * Appends a turn at the next index (0, 1, ...), safe under concurrent appends to the same conversation.
   * With a clientMessageId seen before in this conversation, returns the stored turn and `created: false`.
   * `limit.maxTurns`: refuse a new turn once the conversation holds that many (ConversationFullError).
   */
  async appendTurn(conversationId: string, turn: NewTurn, limit: { maxTurns?: number } = {}): Promise<{ turn: Turn; created: boolean }> {
    requireUuid('conversation', conversationId);
    return this.repository.appendTurn(conversationId, parseInput(newTurnSchema, turn), limit.maxTurns);
  }

  /**
   * A user turn and the bot turns answering it (replies about to stream, no finish reason yet), stored at once at
   * consecutive indexes (ConversationsRepository.appendExchange). `limit.nextIndex`: the index the caller expects
   * the user turn to get, a guess that saves a locked read when right. A clientMessageId seen before stores nothing
   * and returns the stored turn alone, `created: false`.
   */
  async appendExchange(conversationId: string, user: NewTurn, bots: NewTurn[], limit: { maxTurns?: number; nextIndex?: number } = {}): Promise<{ turns: Turn[]; created: boolean }> {
    requireUuid('conversation', conversationId);
    return this.repository.appendExchange(conversationId, parseInput(newTurnSchema, user), bots.map((turn) => parseInput(newTurnSchema, turn)), limit);
  }

  /**
   * The latest `limit` turns, oldest first, without checking that the conversation exists (an unknown one has none):
   * for a caller that has just checked it, one query instead of two.
   */
  async latestTurns(conversationId: string, limit: number): Promise<Turn[]> {
    const { limit: checked } = parseInput(historyQuerySchema, { limit });
    return isUuid(conversationId) ? this.repository.findTurns(conversationId, undefined, checked) : [];
  }

  /** Records how a bot reply ended (final text, finish reason, latency). */
  async updateBotTurn(turnId: string, update: BotTurnUpdate): Promise<Turn> {
    requireUuid('bot turn', turnId);
    const turn = await this.repository.updateBotTurn(turnId, parseInput(botTurnUpdateSchema, update));
    if (!turn) throw new NotFoundError('bot turn', turnId);
    return turn;
  }

  /** A page of turns, oldest first; pass `nextBefore` as `before` for the page before it (undefined at the start). */
  async history(conversationId: string, query: HistoryQuery = {}): Promise<{ turns: Turn[]; nextBefore?: number }> {
    const { before, limit } = parseInput(historyQuerySchema, query);
    await this.get(conversationId);
    const turns = await this.repository.findTurns(conversationId, before, limit);
    const first = turns[0]?.index ?? 0;
    return { turns, nextBefore: first > 0 ? first : undefined };
  }

  /** Most recently active first. */
  async list(query: ListQuery = {}): Promise<{ items: ConversationSummary[]; nextCursor?: string }> {
    const { limit, cursor } = parseInput(listQuerySchema, query);
    const items = await this.repository.listConversations(limit, cursor);
    return { items, nextCursor: items.length === limit ? items[items.length - 1].id : undefined };
  }

  /** Deletes the conversation with its turns and feedback. */
  async delete(conversationId: string): Promise<void> {
    if (!isUuid(conversationId) || !(await this.repository.deleteConversation(conversationId))) {
      throw new NotFoundError('conversation', conversationId);
    }
  }

  /** Whether the conversation may be used to retrain the models (the person chatting opts out or back in). */
  async setAllowTraining(conversationId: string, allowTraining: boolean): Promise<void> {
    if (!isUuid(conversationId) || !(await this.repository.setAllowTraining(conversationId, Boolean(allowTraining)))) {
      throw new NotFoundError('conversation', conversationId);
    }
  }

  /** Rates a bot reply of this conversation; rating it again replaces the earlier rating. */
  async addFeedback(conversationId: string, ref: TurnRef, feedback: FeedbackInput): Promise<Feedback> {
    const input = parseInput(feedbackSchema, feedback);
    const turn = await this.findTurn(ref);
    if (!turn || turn.conversationId !== conversationId || turn.speaker !== 'bot') {
      throw new NotFoundError('bot turn', 'turnId' in ref ? ref.turnId : ref.replyId);
    }
    return this.repository.upsertFeedback(turn, input);
  }

  private async findTurn(ref: TurnRef): Promise<Turn | null> {
    if ('replyId' in ref) return this.repository.findTurn({ replyId: String(ref.replyId) });
    return isUuid(ref.turnId) ? this.repository.findTurn({ id: ref.turnId }) : null;
  }

  /**
   * The conversations that may be used for training (not opted out) as JSONL dialogues for retraining, the format of
   * the shared corpora plus which turns are learned: `{"id","turns":[...],"targets":[...]}` a line (dialogue-export.ts).
   * `part` picks one side of the fixed held-out split. Reads page by page, so memory stays flat however many there are.
   */
  exportJsonl(options: ExportOptions = {}): Readable {
    const { since, minRating, targets, part, heldOutFraction } = parseInput(exportOptionsSchema, options);
    const inPart = (id: string) => part === 'all' || isHeldOut(id, heldOutFraction) === (part === 'held-out');
    const repository = this.repository;
    return Readable.from(
      (async function* () {
        for (let afterId: string | undefined; ; ) {
          const page = await repository.exportPage({ since, afterId, take: EXPORT_PAGE });
          for (const conversation of page) {
            const dialogue = inPart(conversation.id) ? toTrainingDialogue(conversation, targets, minRating) : null;
            if (dialogue) yield `${JSON.stringify({ id: conversation.id, ...dialogue })}\n`;
          }
          if (page.length < EXPORT_PAGE) return;
          afterId = page[page.length - 1].id;
        }
      })(),
      { objectMode: false },
    );
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function requireUuid(what: MissingThing, id: string) {
  if (!isUuid(id)) throw new NotFoundError(what, String(id));
}

