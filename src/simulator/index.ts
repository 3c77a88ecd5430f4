/** The embedded Huawei Cloud job-API simulator (docs/upstream.md#simulator): its public API. */
export { createSimulator, type Simulator, type SimulatorOptions } from './server.js';
export { DEMO, type Demo } from './demo.js';
export { ADVANCING_DURATION_MS } from './seed.js';
export { JobStore, UnknownJobError } from './store.js';
export { PatchError } from './timeline.js';
export { FaultRegistry, FaultValidationError, type Fault, type FaultSpec } from './faults.js';
export { CallLog, type CallFilter, type CallRecord } from './calls.js';
export { ROUTE_IDS, type RouteId } from './routes/index.js';
export { MAX_CLOCK_SKEW_MS, tokenFingerprint, type AuthKind, type ProjectScope } from './auth.js';
export { APIG_ERRORS, SERVICE_ERRORS, type ErrorCode } from './errors.js';
export { SERVICE_NAMES } from './records/index.js';
// Record types (WorkspaceJob, AppStreamingJob, …), ServiceName, JobRecordMap, JobInput, JobPatch, JobUpdate, TimelineStep.
export type * from './records/index.js';
