/**
 * Raw GaussDB(for MySQL) / TaurusDB bodies (docs/upstream.md#gaussdb):
 * `GET /v3/{project_id}/jobs?id=` (ShowGaussMySqlJobInfo → `{job: GetJobInfoDetail}`).
 *
 * `entities` is free-form upstream; only `instance{id,name,endpoint,type,datastore{type,version}}` and
 * `resource_ids[]` are read, everything else is kept untouched. Optional fields that are absent, `null` or of
 * the wrong type read as "not given" (DEF marks `instance` and `created` required, but `created` is documented
 * as empty while an instance is being created, so neither is insisted on). Strict about what makes a body
 * usable: a job needs a non-empty `id` and a string `status`.
 */
import { z } from 'zod';
import { opt, optText, parserFor, type ParseResult } from '../parse.js';

export type { ParseResult };

/** `"60%"` while running, `""` otherwise; a bare number is read too. */
const optProcess = opt(z.union([z.string(), z.number()]));

export const gaussDbDatastoreSchema = z.looseObject({
  type: optText,
  version: optText,
});

/** `entities.instance`, as seen in the official example. */
export const gaussDbEntitiesInstanceSchema = z.looseObject({
  id: optText,
  name: optText,
  endpoint: optText,
  type: optText,
  datastore: opt(gaussDbDatastoreSchema),
});

/** `GetJobEntitiesInfoDetail`: free-form. */
export const gaussDbEntitiesSchema = z.looseObject({
  instance: opt(gaussDbEntitiesInstanceSchema),
  resource_ids: opt(z.array(optText)),
});

/** `GetJobInstanceInfoDetail`. */
export const gaussDbJobInstanceSchema = z.looseObject({
  id: optText,
  name: optText,
});

/** `GetJobInfoDetail`. */
export const gaussDbJobDetailSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  name: optText,
  created: optText,
  ended: optText,
  process: optProcess,
  instance: opt(gaussDbJobInstanceSchema),
  entities: opt(gaussDbEntitiesSchema),
  fail_reason: optText,
});

/** ShowGaussMySqlJobInfo 200 body (`GetJobInfoResponseBody`). */
export const gaussDbJobSchema = z.looseObject({ job: gaussDbJobDetailSchema });

export type GaussDbEntitiesInstanceRaw = z.infer<typeof gaussDbEntitiesInstanceSchema>;
export type GaussDbEntitiesRaw = z.infer<typeof gaussDbEntitiesSchema>;
export type GaussDbJobInstanceRaw = z.infer<typeof gaussDbJobInstanceSchema>;
export type GaussDbJobDetailRaw = z.infer<typeof gaussDbJobDetailSchema>;
export type GaussDbJobRaw = z.infer<typeof gaussDbJobSchema>;

/** ShowGaussMySqlJobInfo 200 body. */
export const parseGaussDbJob = parserFor(gaussDbJobSchema);
