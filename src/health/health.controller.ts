import { Controller, Get, Headers, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminToken } from '../common/admin-token';
import { APP_CONFIG, type AppConfig } from '../config';
import { HEALTH_CONTRIBUTORS, type HealthContributor } from './health-contributor';

const CHECK_TIMEOUT_MS = 3000;

/** Public: the status alone. The admin (Bearer ADMIN_TOKEN) also gets the readiness reasons and every section. */
export interface HealthReport {
  status: 'ok' | 'error';
  reasons?: string[];
  /** One section per contributor: `database`, `generation`, `models`. */
  [section: string]: unknown;
}

type StatusResponse = { status(code: number): unknown };

/**
 * GET /health/live: the process serves HTTP (a container orchestrator restarts it otherwise).
 * GET /health/ready: it can serve chats: the database answers and a model of each kind the chat offers is loaded
 * (load balancers and `depends_on: service_healthy` wait for it); 503 with reason codes otherwise.
 * GET /health: ready and no section reports a fault; its details only with the admin token (issue 22: they named
 * model folders, version ids, the BLAS build and the database's error text to anyone).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly adminToken: AdminToken;

  constructor(
    @Inject(HEALTH_CONTRIBUTORS) private readonly contributors: HealthContributor[],
    @Optional() @Inject(APP_CONFIG) config?: AppConfig, // absent in module tests: then nobody sees the details
  ) {
    this.adminToken = new AdminToken(config?.adminToken);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and a model of each offered kind is loaded; 503 with reasons otherwise' })
  async ready(@Res({ passthrough: true }) response: StatusResponse) {
    const reasons = await this.reasons();
    response.status(reasons.length === 0 ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return reasons.length === 0 ? { status: 'ready' } : { status: 'not_ready', reasons };
  }

  @Get()
  @ApiOperation({ summary: 'Ready and no fault; the sections and reasons only with the admin token' })
  async health(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) response: StatusResponse): Promise<HealthReport> {
    const sections = this.contributors.map((c) => withTimeout(c.check()).catch((error: Error) => ({ ok: false, error: error.message })));
    const [reasons, ...checked] = await Promise.all([this.reasons(), ...sections]);
    const ok = reasons.length === 0 && checked.every((section) => section.ok !== false);
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const status = ok ? 'ok' : 'error';
    if (!this.adminToken.matches(authorization)) return { status };
    return { status, reasons, ...Object.fromEntries(this.contributors.map((c, i) => [c.name, checked[i]])) };
  }

  /** Every contributor's reasons; one whose check fails or hangs is `<name>_check_failed` (its error is no one's business). */
  private async reasons(): Promise<string[]> {
    const lists = await Promise.all(
      this.contributors.map((c) => (c.notReady ? withTimeout(c.notReady()).catch(() => [`${c.name}_check_failed`]) : [])),
    );
    return lists.flat();
  }
}

/** `check`, or a rejection once CHECK_TIMEOUT_MS have passed without an answer. */
async function withTimeout<T>(check: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Never leaves this file: a failed check becomes the reason `<name>_check_failed`.
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
