import type { Provider, Type } from '@nestjs/common';

/**
 * One section of GET /health, e.g. `database`, `generation`, `models`. check() resolves to the section's JSON
 * (shown to the admin only: it may name folders and error texts); a section with `ok: false`, or a check that
 * throws or times out, turns the overall status to "error" (HTTP 503).
 * notReady(), when given, says why the service cannot serve yet, for GET /health/ready: short reason codes such as
 * `database_unreachable` or `model_not_loaded:hred`, public, so never a path, an id or an error text.
 */
export interface HealthContributor {
  readonly name: string;
  check(): Promise<Record<string, unknown>>;
  notReady?(): Promise<string[]>;
}

/** The contributors registered so far (an array, filled as modules are instantiated). */
export const HEALTH_CONTRIBUTORS = Symbol('HEALTH_CONTRIBUTORS');

/**
 * Registers a provider as a health contributor. In your module: `providers: [MyHealth, healthContributor(MyHealth)]`.
 * Works without HealthModule in the application too (tests): then nothing is registered.
 */
export function healthContributor(type: Type<HealthContributor>): Provider {
  return {
    provide: Symbol(`health contributor ${type.name}`),
    inject: [{ token: HEALTH_CONTRIBUTORS, optional: true }, type],
    useFactory: (registry: HealthContributor[] | undefined, contributor: HealthContributor) => {
      registry?.push(contributor);
      return contributor;
    },
  };
}
