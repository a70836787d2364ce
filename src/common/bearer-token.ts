import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other header (or none). */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Secrets (admin token, API keys) checked in constant time: each is kept as its sha256 digest, so timingSafeEqual
 * compares equal lengths, and every secret is compared with no early exit, so the time says neither which one
 * matched nor how much of one did.
 */
export class SecretSet {
  private readonly digests: Buffer[];

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  has(candidate: string | undefined): boolean {
    const given = digest(candidate ?? '');
    let found = false;
    for (const expected of this.digests) found = timingSafeEqual(given, expected) || found;
    return candidate !== undefined && found;
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
