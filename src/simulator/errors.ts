/**
 * Error bodies, per service envelope (docs/upstream.md#conventions): `{error_code, error_msg}`, CPH adds `request_id`, and the
 * API gateway (APIG, docs/upstream.md#gateway-errors) adds `request_id` too. Codes the published sources do not document are marked CHOICE.
 */
import type { ServiceName } from './records/index.js';
import type { SimResponse } from './response.js';

export interface ErrorCode {
  code: string;
  message: string;
}

/**
 * Per-service codes by HTTP status. WKS codes are the DEF examples of docs/upstream.md#app-streaming (shared by Workspace, whose
 * own table is not available); DBS.200001 is the documented "Parameter error".
 */
/** Workspace and App Streaming share the WKS codes. */
const WKS_ERRORS: Record<number, ErrorCode> = {
  400: { code: 'WKS.00211102', message: 'The parameter is invalid.' },
  401: { code: 'WKS.00211302', message: 'User authorization error.' },
  403: { code: 'WKS.00081102', message: 'User does not have permission to access this resource.' },
  // CHOICE: no "job not found" code is published for Workspace (docs/upstream.md#workspace); App Streaming's
  // documented 404 example code serves both, though its documented text speaks of an application.
  404: { code: 'WKS.00211902', message: 'The job does not exist.' },
  405: { code: 'WKS.00000405', message: 'The method specified in the request is not allowed for this resource.' },
  500: { code: 'WKS.00211401', message: 'The requested operation failed. Please try again later.' },
  503: { code: 'WKS.00050902', message: 'The service is now unavailable to process the request.' },
};

export const SERVICE_ERRORS: Record<ServiceName, Record<number, ErrorCode>> = {
  workspace: WKS_ERRORS,
  appStreaming: WKS_ERRORS,
  gaussdb: {
    400: { code: 'DBS.200001', message: 'Parameter error' },
    // CHOICE: 403 for a project the credential may not use (DDS/RDS family code for "authentication failed").
    403: { code: 'DBS.200010', message: 'Authentication failed.' },
    // CHOICE: unknown or expired job id (docs/upstream.md#open-questions: undocumented, 400 or 404 unknown). 404 so that
    // clients can tell "no such job" from a bad request; the code is invented and marked as such here.
    404: { code: 'DBS.280404', message: 'The job does not exist or is older than one month.' },
    // CHOICE (faults only): 5xx codes are undocumented.
    500: { code: 'DBS.200000', message: 'Internal server error.' },
    503: { code: 'DBS.200000', message: 'Service unavailable.' },
  },
  cloudPhone: {
    // CHOICE: CPH parameter errors are undocumented (docs/upstream.md#simulator); CPS.0002 is our pick, for every
    // bad ListJobs parameter: no request id, more than 20, one that is not 32 characters, offset or limit out of range.
    400: { code: 'CPS.0002', message: 'Invalid request parameter.' },
    // The documented abnormal-response example (docs/upstream.md#cloud-phone).
    403: { code: 'CPS.0001', message: 'No permission to request resources.' },
    // CHOICE: unknown job id (docs/upstream.md#open-questions: undocumented); CPS0005 "Phone not found." is job-level, not this.
    404: { code: 'CPS.0014', message: 'Job not found.' },
    // CHOICE (faults only): 5xx codes are undocumented.
    500: { code: 'CPS.0003', message: 'Internal server error.' },
    503: { code: 'CPS.0004', message: 'Service unavailable.' },
  },
};

export const APIG_ERRORS = {
  notFound: { code: 'APIG.0101', message: 'The API does not exist or has not been published in the environment.' },
  malformed: { code: 'APIG.0201', message: 'Bad request.' },
  badToken: { code: 'APIG.0301', message: 'Incorrect IAM authentication information: decrypt token fail' },
  badSignature: { code: 'APIG.0301', message: 'Incorrect IAM authentication information: verify aksk signature fail' },
  noCredential: {
    code: 'APIG.0301',
    message: 'Incorrect IAM authentication information: no X-Auth-Token or AK/SK signature in the request',
  },
  throttled: { code: 'APIG.0308', message: 'The throttling threshold has been reached.' },
} as const satisfies Record<string, ErrorCode>;

export function serviceError(service: ServiceName, status: number, error: ErrorCode, requestId: string): SimResponse {
  const body: Record<string, string> = { error_code: error.code, error_msg: error.message };
  if (service === 'cloudPhone') body.request_id = requestId;
  return { status, body };
}

/** The service's canned error for a status (for validation and for faults without a body). */
export function serviceErrorFor(service: ServiceName, status: number, requestId: string): SimResponse {
  const known = SERVICE_ERRORS[service][status];
  if (known) return serviceError(service, status, known, requestId);
  if (status === 429) return apigError(429, APIG_ERRORS.throttled, requestId);
  const fallback = status >= 500 ? SERVICE_ERRORS[service][500] : SERVICE_ERRORS[service][400];
  return serviceError(service, status, fallback!, requestId);
}

/** A service error with a specific message (the code stays the service's code for that status). */
export function serviceErrorWith(service: ServiceName, status: number, message: string, requestId: string): SimResponse {
  const known = SERVICE_ERRORS[service][status] ?? SERVICE_ERRORS[service][400]!;
  return serviceError(service, status, { code: known.code, message }, requestId);
}

export function apigError(status: number, error: ErrorCode, requestId: string): SimResponse {
  return { status, body: { error_code: error.code, error_msg: error.message, request_id: requestId } };
}
