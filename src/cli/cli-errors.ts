import { z } from 'zod';
import { AppError } from '../common/errors';

/** A command line the CLI cannot run: the message says which option is missing or wrong (and may add the help). */
export class UsageError extends AppError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** One line per invalid field: `--field: reason`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => `invalid option ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}
