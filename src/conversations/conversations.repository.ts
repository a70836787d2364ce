import { Injectable } from '@nestjs/common';
import { type Conversation, type Feedback, Prisma, type Turn } from '../generated/prisma/client';
import { InvalidInputError, NotFoundError } from '../common/errors';
import { PrismaService } from '../database/prisma.service';
import { ConversationFullError } from './conversation-errors';
import type { BotTurnUpdate, ConversationSummary, ExportedConversation, NewConversation, NewTurn } from './conversation.types';

/** Generous: on PGlite transactions queue behind one connection, on PostgreSQL behind the pool's few. */
const APPEND_TX = { maxWait: 15_000, timeout: 15_000 };

/** The only Prisma caller for conversations, turns and feedback. Inputs are validated by ConversationsService. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  createConversation(input: NewConversation & { tokenHash: string }): Promise<Conversation> {
    return this.prisma.conversation
      .create({ data: { ...input, decoding: input.decoding as Prisma.InputJsonObject | undefined } })
      .catch(rethrowForeignKey);
  }

  findConversation(id: string): Promise<Conversation | null> {
    return this.prisma.conversation.findUnique({ where: { id } });
  }

  /**
   * Appends at the next index. Updating the conversation row first locks it until commit, so concurrent appends
   * to one conversation queue up and each reads the index the previous one wrote (on PGlite they queue anyway).
   * With a clientMessageId already stored, returns that turn instead: `created` is false. With `maxTurns`, a turn
   * whose index would reach it is refused (ConversationFullError), decided inside the same lock.
   */
  async appendTurn(conversationId: string, input: NewTurn, maxTurns?: number): Promise<{ turn: Turn; created: boolean }> {
    const { turns, created } = await this.appendLocked(conversationId, input, [], maxTurns);
    return { turn: turns[0], created };
  }

  /**
   * A user turn and the bot turns that follow it (replies about to stream), stored together at consecutive indexes:
   * all or nothing. `nextIndex`, when the caller knows it, saves the locked transaction: the rows are inserted at
   * that index in one short transaction with the conversation's updatedAt, and the unique indexes on (conversation,
   * index) and (conversation, clientMessageId) catch a stale guess (another instance appended, or a retried
   * message), which then takes the locked path. A duplicate clientMessageId stores nothing: `created` false.
   */
  async appendExchange(conversationId: string, user: NewTurn, bots: NewTurn[], options: { maxTurns?: number; nextIndex?: number }): Promise<{ turns: Turn[]; created: boolean }> {
    const { nextIndex, maxTurns } = options;
    if (nextIndex !== undefined && (maxTurns === undefined || nextIndex < maxTurns)) {
      const data = [user, ...bots].map((turn, k) => ({ ...turn, decoding: turn.decoding as Prisma.InputJsonObject | undefined, conversationId, index: nextIndex + k }));
      try {
        const [, turns] = await this.prisma.$transaction(
          [this.prisma.conversation.updateMany({ where: { id: conversationId }, data: { updatedAt: new Date() } }), this.prisma.turn.createManyAndReturn({ data })],
          APPEND_TX, // a PostgreSQL pool of ~10 connections under 200 clients: the default 2 s wait for one was not enough
        );
        return { turns: turns.sort((a, b) => a.index - b.index), created: true };
      } catch (error) {
        // P2002: the guess was stale or the message is a retry; P2003: no such conversation (answered below).
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2002' || error.code === 'P2003'))) throw error;
      }
    }
    return this.appendLocked(conversationId, user, bots, maxTurns);
  }

  /** appendTurn's locked transaction; the `bots` follow the turn when it is created (the maxTurns check is the first turn's). */
  private appendLocked(conversationId: string, input: NewTurn, bots: NewTurn[], maxTurns?: number): Promise<{ turns: Turn[]; created: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.conversation.updateMany({ where: { id: conversationId }, data: { updatedAt: new Date() } });
      if (count === 0) throw new NotFoundError('conversation', conversationId);
      if (input.clientMessageId !== undefined) {
        const key = { conversationId, clientMessageId: input.clientMessageId };
        const existing = await tx.turn.findUnique({ where: { conversationId_clientMessageId: key } });
        if (existing) return { turns: [existing], created: false };
      }
      const last = await tx.turn.findFirst({ where: { conversationId }, orderBy: { index: 'desc' }, select: { index: true } });
      const index = (last?.index ?? -1) + 1;
      if (maxTurns !== undefined && index >= maxTurns) throw new ConversationFullError(conversationId, maxTurns);
      const turns: Turn[] = [];
      for (const [k, turn] of [input, ...bots].entries()) {
        turns.push(await tx.turn.create({ data: { ...turn, decoding: turn.decoding as Prisma.InputJsonObject | undefined, conversationId, index: index + k } }));
      }
      return { turns, created: true };
    }, APPEND_TX).catch(rethrowForeignKey);
  }

  /** Null when there is no bot turn with this id. */
  updateBotTurn(id: string, update: BotTurnUpdate): Promise<Turn | null> {
    return this.prisma.turn.update({ where: { id, speaker: 'bot' }, data: update }).catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null; // no such bot turn
      throw error;
    });
  }

  findTurn(where: { id: string } | { replyId: string }): Promise<Turn | null> {
    return this.prisma.turn.findUnique({ where });
  }

  /** The last `limit` turns before index `before` (all when undefined), oldest first. */
  async findTurns(conversationId: string, before: number | undefined, limit: number): Promise<Turn[]> {
    const turns = await this.prisma.turn.findMany({
      where: { conversationId, index: before === undefined ? undefined : { lt: before } },
      orderBy: { index: 'desc' },
      take: limit,
    });
    return turns.reverse();
  }

  /** Most recently active first. */
  async listConversations(limit: number, afterId?: string): Promise<ConversationSummary[]> {
    const rows = await this.prisma.conversation.findMany({
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: limit,
      ...(afterId ? { cursor: { id: afterId }, skip: 1 } : {}),
      select: { id: true, createdAt: true, updatedAt: true, modelVersionId: true, compareModelIds: true, _count: { select: { turns: true } } },
    });
    return rows.map(({ _count, ...row }) => ({ ...row, turnCount: _count.turns }));
  }

  /** Turns and their feedback go with it (ON DELETE CASCADE). False when there was no such conversation. */
  async deleteConversation(id: string): Promise<boolean> {
    const { count } = await this.prisma.conversation.deleteMany({ where: { id } });
    return count > 0;
  }

  /** False when there is no such conversation. */
  async setAllowTraining(id: string, allowTraining: boolean): Promise<boolean> {
    const { count } = await this.prisma.conversation.updateMany({ where: { id }, data: { allowTraining } });
    return count > 0;
  }

  /** One page of the conversations that may be used for training, in id order, with their turns and feedback. */
  exportPage(options: { since?: Date; afterId?: string; take: number }): Promise<ExportedConversation[]> {
    return this.prisma.conversation.findMany({
      where: {
        allowTraining: true,
        updatedAt: options.since ? { gte: options.since } : undefined,
        id: options.afterId ? { gt: options.afterId } : undefined,
      },
      orderBy: { id: 'asc' },
      take: options.take,
      select: {
        id: true,
        turns: {
          orderBy: { index: 'asc' },
          select: { speaker: true, text: true, finishReason: true, feedback: { select: { rating: true, preferred: true } } },
        },
      },
    });
  }

  /**
   * Rates a bot turn. `preferred` is exclusive within a compare group (the bot turns answering one user turn):
   * marking one clears it on its siblings, in the same transaction.
   */
  upsertFeedback(turn: Turn, input: { rating: number; preferred?: boolean }): Promise<Feedback> {
    return this.prisma.$transaction(async (tx) => {
      if (input.preferred) {
        const { conversationId, index } = turn;
        const before = await tx.turn.findFirst({ where: { conversationId, speaker: 'user', index: { lt: index } }, orderBy: { index: 'desc' } });
        const after = await tx.turn.findFirst({ where: { conversationId, speaker: 'user', index: { gt: index } }, orderBy: { index: 'asc' } });
        await tx.feedback.updateMany({
          where: {
            turnId: { not: turn.id },
            turn: { conversationId, speaker: 'bot', index: { gt: before?.index ?? -1, ...(after ? { lt: after.index } : {}) } },
          },
          data: { preferred: false },
        });
      }
      return tx.feedback.upsert({ where: { turnId: turn.id }, create: { turnId: turn.id, ...input }, update: input });
    });
  }
}

/** A reference to a row that does not exist (e.g. an unknown model version) is the caller's mistake. */
function rethrowForeignKey(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') {
    throw new InvalidInputError(`unknown reference (${String(error.meta?.field_name ?? error.meta?.constraint ?? 'foreign key')})`);
  }
  throw error;
}
