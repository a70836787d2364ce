import { z } from 'zod';

/** One line per invalid field: `--field: reason`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => `invalid option ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}
