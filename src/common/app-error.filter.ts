import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { AppError, type AppErrorCode } from './errors';

const STATUS: Record<AppErrorCode, number> = {
  not_found: HttpStatus.NOT_FOUND,
  invalid_input: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  conflict: HttpStatus.CONFLICT,
};

type JsonResponse = { setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } };

/** Every HTTP error of the service in one shape, `{ error: { code, message, … } }` (the filters' shared writer). */
export function sendError(host: ArgumentsHost, status: number, error: { code: string; message: string; field?: string }, headers: Record<string, string> = {}): void {
  const response = host.switchToHttp().getResponse<JsonResponse>();
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).json({ error });
}

/**
 * HTTP only: turns an AppError into `{ error: { code, message, field? } }` with its status, `field` naming
 * the first invalid input when the error knows it. Gateways map errors themselves.
 */
@Catch(AppError)
export class AppErrorFilter implements ExceptionFilter {
  catch(error: AppError, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error;
    const field = typeof error.meta.field === 'string' ? { field: error.meta.field } : {};
    sendError(host, STATUS[error.code], { code: error.code, message: error.message, ...field });
  }
}
