import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { AppError, type AppErrorCode } from './errors';

const STATUS: Record<AppErrorCode, number> = {
  not_found: HttpStatus.NOT_FOUND,
  invalid_input: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  conflict: HttpStatus.CONFLICT,
};

type JsonResponse = { status(code: number): { json(body: unknown): void } };

/**
 * HTTP only: turns an AppError into `{ error: { code, message, field? } }` with its status, `field` naming
 * the first invalid input when the error knows it. Gateways map errors themselves.
 */
@Catch(AppError)
export class AppErrorFilter implements ExceptionFilter {
  catch(error: AppError, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error;
    const field = typeof error.meta.field === 'string' ? { field: error.meta.field } : {};
    host.switchToHttp().getResponse<JsonResponse>().status(STATUS[error.code]).json({ error: { code: error.code, message: error.message, ...field } });
  }
}
