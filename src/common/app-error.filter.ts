import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type HttpErrorResponse, toHttpError } from './error-responses';
import { AppError } from './errors';

type JsonResponse = { setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } };

/** Every HTTP error of the service in one shape, `{ error: { code, message, … } }` (the filters' shared writer). */
export function sendError(host: ArgumentsHost, { status, headers, body }: HttpErrorResponse): void {
  const response = host.switchToHttp().getResponse<JsonResponse>();
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).json(body);
}

/**
 * HTTP only: an AppError as toHttpError answers it, `{ error: { code, message, field? } }` with its status.
 * Gateways map errors themselves (the chat through toSocketError).
 */
@Catch(AppError)
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(AppErrorFilter.name);

  catch(error: AppError, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error;
    const response = toHttpError(error);
    // A broken file or setting behind a request: the client is told only that it failed, the operator reads why here.
    if (response.status >= 500) this.logger.error(error.stack ?? error.message);
    sendError(host, response);
  }
}
