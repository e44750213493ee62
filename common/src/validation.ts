import type { z } from 'zod';
import { BadUserInputError, type FieldErrors } from './errors';

/** Turns zod issues into the `extensions.fields` map of docs/api-contract.md: dotted path -> first message. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Parses `input` with `schema`, or throws BAD_USER_INPUT naming every bad field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const fields = fieldErrors(result.error);
    throw new BadUserInputError(`Invalid input: ${Object.keys(fields).join(', ')}`, fields);
  }
  return result.data;
}
