import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * ADMIN_TOKEN as `Authorization: Bearer <token>` checks it: compared through its sha256 digest, so timingSafeEqual
 * gets equal lengths and the time says nothing about the token. Used by the admin API's guard and by GET /health,
 * which shows its details to the admin only.
 */
export class AdminToken {
  private readonly expected?: Buffer;

  constructor(token: string | undefined) {
    this.expected = token ? digest(token) : undefined;
  }

  /** False when no token is configured: then the admin API is off. */
  get configured(): boolean {
    return this.expected !== undefined;
  }

  /** Whether an Authorization header carries the configured token. */
  matches(authorization: string | string[] | undefined): boolean {
    const given = bearerToken(authorization);
    return this.expected !== undefined && given !== undefined && timingSafeEqual(digest(given), this.expected);
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
