import { Injectable } from '@nestjs/common';
import type { HealthContributor } from '../health/health-contributor';
import { PrismaService } from './prisma.service';

/** GET /health section `database` ({engine, ok, error?}); not ready while it does not answer. */
@Injectable()
export class DatabaseHealth implements HealthContributor {
  readonly name = 'database';

  constructor(private readonly prisma: PrismaService) {}

  async check() {
    const engine = this.prisma.engine;
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      return { engine, ok: true };
    } catch (error) {
      return { engine, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async notReady(): Promise<string[]> {
    return (await this.check()).ok ? [] : ['database_unreachable'];
  }
}
