/** Workspace Application Streaming: v1 ShowJob (integer job_status) and ListSubJobs (docs/upstream.md#app-streaming). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { JobLocation } from '../../model/job.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { callsOf, pageOf, seg } from '../call.js';
import type { AppStreamingSubJobQuery, ServiceClients } from '../clients.js';
import { mapAppStreamingJob, mapAppStreamingSubJobPage } from './map.js';
import { parseAppStreamingJob, parseAppStreamingSubJobList } from './raw.js';

export function createAppStreamingClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['appStreaming'] {
  const calls = callsOf(transport, 'APP_STREAMING');
  return {
    async showJob(target: JobRef, credential: Credential) {
      const path = `/v1/${seg(target.projectId)}/job/${seg(target.jobId)}`;
      const raw = await calls.get({ route: 'appStreaming.showJobV1', path }, target, credential, parseAppStreamingJob);
      return raw && mapAppStreamingJob(raw, target, report);
    },

    async listSubJobs(query: AppStreamingSubJobQuery, location: JobLocation, credential: Credential) {
      const call = {
        route: 'appStreaming.listSubJobs',
        path: `/v1/${seg(location.projectId)}/app-server-sub-jobs`,
        query: {
          job_type: query.jobType,
          status: query.status ?? undefined,
          job_id: query.jobId ?? undefined,
          ...pageOf(query),
        },
      };
      const raw = await calls.list(call, location, credential, parseAppStreamingSubJobList);
      return mapAppStreamingSubJobPage(raw, report);
    },
  };
}
