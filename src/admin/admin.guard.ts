import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AdminToken } from '../common/admin-token';
import { AppError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config';

type HttpRequest = { method: string; url: string; headers: Record<string, string | string[] | undefined> };
type HttpResponse = { setHeader(name: string, value: string): void };

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` on every admin route (compared in constant time, see AdminToken). Without a
 * configured token the admin API is off and answers 404 as if it did not exist; it is never open.
 * It is never logged: the request logger redacts the Authorization header (common/logger.options.ts).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token: AdminToken;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = new AdminToken(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (!this.token.configured) throw new AppError('not_found', `Cannot ${request.method} ${request.url.split('?')[0]}`);
    if (!this.token.matches(request.headers.authorization)) {
      http.getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
      throw new AppError('unauthorized', 'missing or wrong admin token (send Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}
