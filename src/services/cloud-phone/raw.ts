/**
 * Raw Cloud Phone (CPH) bodies (docs/upstream.md#cloud-phone):
 * `GET /v1/{project_id}/cloud-phone/jobs/{job_id}` (ShowJob → `ShowJobResponseBody`, with explicit `null`s) and
 * `GET /v1/{project_id}/cloud-phone/jobs?request_id(s)=` (ListJobs → `{request_id, jobs: Job[]}`).
 *
 * One schema serves both a ShowJob body and a ListJobs item: the item carries no `request_id` but has the
 * deprecated `node_id` (a duplicate of `server_id`). Optional fields that are absent, `null` or of the wrong
 * type read as "not given"; unknown keys (e.g. the older `encode_server_id`) are kept. Strict about what makes
 * a body usable: a job needs a non-empty string `job_id` and an integer `status`. A status sent as text
 * (`"2"`) is rejected, not coerced: DEF documents int32, and a body that departs from it is not the
 * documented shape.
 */
import { z } from 'zod';
import { optText, parserFor, type ParseResult } from '../parse.js';

export type { ParseResult };

/** `ShowJobResponseBody`, and a ListJobs `Job`. */
export const cloudPhoneJobSchema = z.looseObject({
  job_id: z.string().min(1),
  status: z.int(),
  request_id: optText,
  phone_id: optText,
  server_id: optText,
  /** Deprecated duplicate of `server_id` (ListJobs items). */
  node_id: optText,
  begin_time: optText,
  end_time: optText,
  error_code: optText,
  error_msg: optText,
  execute_msg: optText,
});

/** ListJobs 200 body (`ListJobsResponseBody`). */
export const cloudPhoneJobListSchema = z.looseObject({
  request_id: optText,
  jobs: z.array(cloudPhoneJobSchema),
});

export type CloudPhoneJobRaw = z.infer<typeof cloudPhoneJobSchema>;
export type CloudPhoneJobListRaw = z.infer<typeof cloudPhoneJobListSchema>;

/** ShowJob 200 body. */
export const parseCloudPhoneJob = parserFor(cloudPhoneJobSchema);

/** ListJobs 200 body. */
export const parseCloudPhoneJobList = parserFor(cloudPhoneJobListSchema);
