import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { HEALTH_CONTRIBUTORS, type HealthContributor } from './health-contributor';

const CHECK_TIMEOUT_MS = 3000;

export interface HealthReport {
  status: 'ok' | 'error';
  /** One section per contributor: `database` ({engine, ok}) here; `backend`, `models` from the model modules. */
  [section: string]: unknown;
}

type StatusResponse = { status(code: number): unknown };

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CONTRIBUTORS) private readonly contributors: HealthContributor[]) {}

  @Get()
  async health(@Res({ passthrough: true }) response: StatusResponse): Promise<HealthReport> {
    const sections = await Promise.all(this.contributors.map((c) => runCheck(c)));
    const ok = sections.every((section) => section.ok !== false);
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'error', ...Object.fromEntries(this.contributors.map((c, i) => [c.name, sections[i]])) };
  }
}

async function runCheck(contributor: HealthContributor): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([contributor.check(), timeout]);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
