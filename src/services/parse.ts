/** Validation of raw upstream bodies against their zod schemas, shared by every service's raw.ts. */
import type { z } from 'zod';

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
