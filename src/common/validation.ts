import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { z } from 'zod';
import { InvalidInputError } from './errors';

/**
 * Validates a `@Body({ schema })` against its zod schema; a failure is a 400 whose message names each
 * field and its reason ("hyperparameters.batchSize: Too small: expected number to be >0"), with the
 * first field in `meta.field`.
 */
export const zodValidation = new StandardSchemaValidationPipe({
  exceptionFactory: (issues) => invalidInput(issues as readonly StandardSchemaV1.Issue[]),
});

function invalidInput(issues: readonly StandardSchemaV1.Issue[]): InvalidInputError {
  const problems = issues.map(describeIssue);
  return new InvalidInputError(problems.map((p) => (p.field ? `${p.field}: ${p.reason}` : p.reason)).join('; '), {
    field: problems[0]?.field,
    issues: problems,
  });
}

/** Parses `value`, or throws an InvalidInputError naming each bad field (the same message as the pipe). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(result.error.issues as readonly StandardSchemaV1.Issue[]);
}

/** The field an issue is about (dotted path; for an unknown key, the key itself) and why. */
export function describeIssue(issue: StandardSchemaV1.Issue): { field: string; reason: string } {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
  // zod reports unknown keys on the object that holds them; name the key itself instead.
  const { code, keys } = issue as { code?: string; keys?: string[] };
  const unknownKeys = code === 'unrecognized_keys' && keys ? keys : [];
  if (unknownKeys.length > 0) return { field: [...path, unknownKeys[0]].join('.'), reason: `unknown field (${unknownKeys.join(', ')})` };
  return { field: path.join('.'), reason: issue.message };
}
