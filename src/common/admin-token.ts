import { bearerToken, SecretSet } from './bearer-token';

/**
 * ADMIN_TOKEN as `Authorization: Bearer <token>` checks it, in constant time (SecretSet). Used by the admin API's
 * guard and by GET /health, which shows its details to the admin only.
 */
export class AdminToken {
  private readonly secrets: SecretSet;

  constructor(token: string | undefined) {
    this.secrets = new SecretSet(token ? [token] : []);
  }

  /** False when no token is configured: then the admin API is off. */
  get configured(): boolean {
    return this.secrets.size > 0;
  }

  /** Whether an Authorization header carries the configured token. */
  matches(authorization: string | string[] | undefined): boolean {
    return this.secrets.has(bearerToken(authorization));
  }
}
