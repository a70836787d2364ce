import type { Provider, Type } from '@nestjs/common';

/**
 * One section of GET /health, e.g. `database`, `backend`, `models`. check() resolves to the section's JSON;
 * a section with `ok: false`, or a check that throws or times out, turns the overall status to "error" (HTTP 503).
 * Report only faults that make the service unusable as `ok: false` (no trained model yet is not one).
 */
export interface HealthContributor {
  readonly name: string;
  check(): Promise<Record<string, unknown>>;
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
