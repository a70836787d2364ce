import { Injectable } from '@nestjs/common';
import { type Comparison, type JobStatus, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import type { Preference } from './metrics/win-rate';

const json = (value: object) => value as Prisma.InputJsonObject;

/** The error text of a comparison the service stopped: what happened and how to go on. */
export const INTERRUPTED_HINT = 'the service stopped before this comparison finished; POST /admin/comparisons again to rerun it';

/** The only Prisma caller for comparisons, and for the compare-mode preferences they report. */
@Injectable()
export class ComparisonsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(params: object): Promise<Comparison> {
    return this.prisma.comparison.create({ data: { params: json(params) } });
  }

  find(id: string): Promise<Comparison | null> {
    return this.prisma.comparison.findUnique({ where: { id } });
  }

  /** queued → running; false when it was no longer queued. */
  async markRunning(id: string): Promise<boolean> {
    const { count } = await this.prisma.comparison.updateMany({ where: { id, status: 'queued' }, data: { status: 'running', startedAt: new Date() } });
    return count === 1;
  }

  /** queued → cancelled; false when it was no longer queued (it started, or ended). */
  async cancelQueued(id: string, error: string): Promise<boolean> {
    const { count } = await this.prisma.comparison.updateMany({ where: { id, status: 'queued' }, data: { status: 'cancelled', finishedAt: new Date(), error } });
    return count === 1;
  }

  async finish(id: string, status: JobStatus, result: { report?: object; error?: string }): Promise<void> {
    await this.prisma.comparison.update({
      where: { id },
      data: { status, finishedAt: new Date(), report: result.report && json(result.report), error: result.error },
    });
  }

  /** At start-up: comparisons a previous process left queued or running cannot go on (the queue is in memory). */
  async interruptLeftovers(): Promise<number> {
    const { count } = await this.prisma.comparison.updateMany({
      where: { status: { in: ['queued', 'running'] } },
      data: { status: 'interrupted', finishedAt: new Date(), error: INTERRUPTED_HINT },
    });
    return count;
  }

  /**
   * Chat preferences between versions a and b: every bot turn marked `preferred` whose compare group (the bot
   * turns answering the same user turn) holds a reply of each version, as 'a' or 'b' by the version that wrote
   * it. Groups are read from the turns themselves, so conversations that compare kinds ("hred" vs "vhred",
   * as the chat page does) count with the versions that actually answered.
   */
  async preferences(a: string, b: string): Promise<Preference[]> {
    const preferred = await this.prisma.feedback.findMany({
      where: { preferred: true, turn: { speaker: 'bot', modelVersionId: { in: [a, b] } } },
      select: { turn: { select: { conversationId: true, index: true, modelVersionId: true } } },
    });
    const out: Preference[] = [];
    for (const { turn } of preferred) {
      const other = turn.modelVersionId === a ? b : a;
      const { conversationId, index } = turn;
      const before = await this.prisma.turn.findFirst({ where: { conversationId, speaker: 'user', index: { lt: index } }, orderBy: { index: 'desc' } });
      const after = await this.prisma.turn.findFirst({ where: { conversationId, speaker: 'user', index: { gt: index } }, orderBy: { index: 'asc' } });
      const rival = await this.prisma.turn.count({
        where: { conversationId, speaker: 'bot', modelVersionId: other, index: { gt: before?.index ?? -1, ...(after ? { lt: after.index } : {}) } },
      });
      if (rival > 0) out.push(turn.modelVersionId === a ? 'a' : 'b');
    }
    return out;
  }
}
