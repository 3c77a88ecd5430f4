/**
 * Raw Workspace (desktops) bodies, as upstream sends them (docs/upstream.md#workspace):
 * `GET /v2/{project_id}/workspace-jobs/{job_id}` (ShowJob → `ShowJobRsp`) and
 * `GET /v2/{project_id}/workspace-sub-jobs` (ListItaSubJobs → `{total_count, jobs}`).
 *
 * Lenient about what upstream is lenient about: every documented field but the identity and the status is
 * optional and may be `null`, unknown keys are kept, and an optional field of the wrong type is dropped (read
 * as absent) rather than failing the whole body. Strict about what makes a body usable: a job needs a
 * non-empty `id` and a string `status` (the official 200 example is literally `{}`, which is not usable), and
 * every sub-job needs a string `id` and `status`, because the parent's outcome is decided from them (docs/upstream.md#statuses).
 * Both the doc/GO field set and the 2024 DEF set of `JobDetailInfo` are read (docs/upstream.md#open-questions).
 */
import { z } from 'zod';
import { opt, optText, parserFor, type ParseResult } from '../parse.js';

export type { ParseResult };

/** `JobEntities`: doc/GO has all five fields; DEF only the first three. */
export const workspaceJobEntitiesSchema = z.looseObject({
  desktop_id: optText,
  product_id: optText,
  user_name: optText,
  desktop_name: optText,
  ip_address: optText,
});

/** `JobDetailInfo`: a sub-job, inside `sub_jobs[]` of ShowJob and `jobs[]` of ListItaSubJobs. */
export const workspaceSubJobSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  job_id: optText,
  job_type: optText,
  entities: opt(workspaceJobEntitiesSchema),
  begin_time: optText,
  end_time: optText,
  error_code: optText,
  fail_reason: optText,
  /** Documented as an integer; a numeric string is read too. */
  process: opt(z.union([z.number(), z.string()])),
  ip_address: optText,
  // doc/GO only
  host: optText,
  project_id: optText,
  attach_user: optText,
  entity: optText,
  // DEF (2024-05) only
  desktop_name: optText,
  mac_address: optText,
  message: optText,
});

/** `ShowJobRsp`. */
export const workspaceJobSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  job_type: optText,
  begin_time: optText,
  end_time: optText,
  job_error_code: optText,
  fail_reason: optText,
  sub_jobs_total: opt(z.int().nonnegative()),
  sub_jobs: z.array(workspaceSubJobSchema).nullish(),
});

/** ListItaSubJobs `QueryJobDetailInfoRsp`. */
export const workspaceSubJobListSchema = z.looseObject({
  total_count: opt(z.int().nonnegative()),
  jobs: z.array(workspaceSubJobSchema),
});

export type WorkspaceJobEntitiesRaw = z.infer<typeof workspaceJobEntitiesSchema>;
export type WorkspaceSubJobRaw = z.infer<typeof workspaceSubJobSchema>;
export type WorkspaceJobRaw = z.infer<typeof workspaceJobSchema>;
export type WorkspaceSubJobListRaw = z.infer<typeof workspaceSubJobListSchema>;

/** ShowJob 200 body. */
export const parseWorkspaceJob = parserFor(workspaceJobSchema);

/** ListItaSubJobs 200 body. */
export const parseWorkspaceSubJobList = parserFor(workspaceSubJobListSchema);
