/** Validation of raw upstream bodies against their zod schemas, shared by every service's raw.ts. */
import { z } from 'zod';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string };

/** One line naming where the body departs from the documented shape (values are never echoed). */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

export function parseWith<S extends z.ZodType>(schema: S, body: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(body);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: describeIssues(result.error) };
}

/** A body parser for one schema: the parsed value, or one line naming where the body departs from it. */
export function parserFor<S extends z.ZodType>(schema: S): (body: unknown) => ParseResult<z.output<S>> {
  return (body) => parseWith(schema, body);
}

/** An optional field: absent, `null`, or of the wrong type all read as "not given" (docs/upstream.md#conventions). */
export const opt = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
export const optText = opt(z.string());
