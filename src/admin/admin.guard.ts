import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config';

type HttpRequest = { method: string; url: string; headers: Record<string, string | string[] | undefined> };
type HttpResponse = { setHeader(name: string, value: string): void };

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` on every admin route. Without a configured token the admin API
 * is off and answers 404 as if it did not exist; it is never open. The token is compared through its
 * sha256 digest, so timingSafeEqual gets equal lengths and the time says nothing about the token.
 * It is never logged: the request logger redacts the Authorization header (common/logger.options.ts).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.adminToken ? digest(config.adminToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (!this.expected) throw new AppError('not_found', `Cannot ${request.method} ${request.url.split('?')[0]}`);
    const given = bearerToken(request.headers.authorization);
    if (given === undefined || !timingSafeEqual(digest(given), this.expected)) {
      http.getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
      throw new AppError('unauthorized', 'missing or wrong admin token (send Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
