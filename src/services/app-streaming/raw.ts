/**
 * Raw Workspace Application Streaming bodies (docs/upstream.md#app-streaming):
 * - `GET /v1/{project_id}/job/{job_id}` (v1 ShowJob → `{job: JobDetail}`, integer `job_status`),
 * - `GET /v1/{project_id}/app-server-sub-jobs` (ListSubJobs → `{count, items}`), whose items come in two
 *   published shapes: the doc's flat `error_code`/`error_message`, and GO/DEF's nested
 *   `job_execute_info{error_code,error_message}` (docs/upstream.md#open-questions); both are accepted and read,
 * - `GET /v1/{project_id}/app-server-sub-jobs/actions/count` (CountSubJobs → `{count}`).
 *
 * Lenient about optional fields (absent, `null` or of the wrong type all read as "not given"; unknown keys are
 * kept). Strict about what makes a body usable: a v1 job needs a non-empty string `job_id` (an 18-digit id
 * sent as a JSON number would already have lost precision) and an integer `job_status`; each of its sub-jobs
 * a string `job_id` and an integer `job_status`; each list item a string `id` and `status`; a count an
 * integer `count`.
 */
import { z } from 'zod';
import { opt, optText, parserFor, type ParseResult } from '../parse.js';

export type { ParseResult };

/** Job types are integers in v1 (1 parent, 2 sub-job); text is accepted too and kept verbatim. */
const optJobType = opt(z.union([z.int(), z.string()]));

/** `RelativeResource`. */
export const relativeResourceSchema = z.looseObject({
  relative_resource_id: optText,
  relative_resource_name: optText,
  relative_type: opt(z.int()),
  relative_cloud_service_type: optText,
  relative_resource_type: optText,
  extend_params: optText,
});

/** `JobResourceInfo` (billing/order fields). */
export const jobResourceInfoSchema = z.looseObject({
  resource_id: optText,
  resource_name: optText,
  cloud_service_type: optText,
  resource_type: optText,
  resource_spec_code: optText,
  spec_type: opt(z.record(z.string(), z.unknown())),
  spec_size: opt(z.number()),
  measure: opt(z.int()),
  processed_time: optText,
  is_main_resource: opt(z.int()),
  main_resources: opt(z.array(opt(relativeResourceSchema))),
  extend_params: optText,
  old_resource_id: optText,
  old_cloud_service_type: optText,
  old_resource_type: optText,
});

/** `SubJobInfo`: note that its `job_id` is the sub-job's own id. */
export const appStreamingV1SubJobSchema = z.looseObject({
  job_id: z.string(),
  job_status: z.int(),
  job_type: optJobType,
  entities: opt(z.array(opt(jobResourceInfoSchema))),
  begin_time: optText,
  end_time: optText,
  expected_end_time: optText,
  execute_code: optText,
  execute_message: optText,
});

/** `JobDetail`. */
export const appStreamingV1JobDetailSchema = z.looseObject({
  job_id: z.string().min(1),
  job_status: z.int(),
  job_type: optJobType,
  sub_jobs: z.array(appStreamingV1SubJobSchema).nullish(),
  begin_time: optText,
  end_time: optText,
  expected_end_time: optText,
  execute_code: optText,
  execute_message: optText,
});

/** v1 ShowJob 200 body. */
export const appStreamingJobSchema = z.looseObject({ job: appStreamingV1JobDetailSchema });

/** `ImageJobExecuteInfo` (GO/DEF item shape). */
export const jobExecuteInfoSchema = z.looseObject({
  error_code: optText,
  error_message: optText,
});

/** A ListSubJobs item in either shape: doc `JobDetailInfo` (flat errors) or GO/DEF `ImageJobDetailInfo`. */
export const appStreamingSubJobItemSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  job_id: optText,
  job_type: optText,
  // Documented as `{resource_id, resource_name}`; GO/DEF type it as the full JobResourceInfo, so read it as one.
  job_resource_info: opt(jobResourceInfoSchema),
  begin_time: optText,
  end_time: optText,
  project_id: optText,
  // doc shape
  error_code: optText,
  error_message: optText,
  // GO/DEF shape
  job_execute_info: opt(jobExecuteInfoSchema),
});

/** ListSubJobs 200 body. */
export const appStreamingSubJobListSchema = z.looseObject({
  count: opt(z.int().nonnegative()),
  items: z.array(appStreamingSubJobItemSchema),
});

/** CountSubJobs 200 body. */
export const appStreamingSubJobCountSchema = z.looseObject({
  count: z.int().nonnegative(),
});

export type RelativeResourceRaw = z.infer<typeof relativeResourceSchema>;
export type JobResourceInfoRaw = z.infer<typeof jobResourceInfoSchema>;
export type AppStreamingV1SubJobRaw = z.infer<typeof appStreamingV1SubJobSchema>;
export type AppStreamingV1JobDetailRaw = z.infer<typeof appStreamingV1JobDetailSchema>;
export type AppStreamingJobRaw = z.infer<typeof appStreamingJobSchema>;
export type AppStreamingSubJobItemRaw = z.infer<typeof appStreamingSubJobItemSchema>;
export type AppStreamingSubJobListRaw = z.infer<typeof appStreamingSubJobListSchema>;
export type AppStreamingSubJobCountRaw = z.infer<typeof appStreamingSubJobCountSchema>;

/** v1 ShowJob 200 body. */
export const parseAppStreamingJob = parserFor(appStreamingJobSchema);

/** ListSubJobs 200 body. */
export const parseAppStreamingSubJobList = parserFor(appStreamingSubJobListSchema);

/** CountSubJobs 200 body. */
export const parseAppStreamingSubJobCount = parserFor(appStreamingSubJobCountSchema);
