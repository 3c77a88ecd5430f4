/** Workspace (desktops): ShowJob and ListItaSubJobs (docs/upstream.md#workspace). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { JobLocation } from '../../model/job.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { callsOf, pageOf, seg } from '../call.js';
import type { ServiceClients, WorkspaceSubJobQuery } from '../clients.js';
import { mapWorkspaceJob, mapWorkspaceSubJobPage } from './map.js';
import { parseWorkspaceJob, parseWorkspaceSubJobList } from './raw.js';

export function createWorkspaceClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['workspace'] {
  const calls = callsOf(transport, 'WORKSPACE');
  return {
    async showJob(target: JobRef, credential: Credential) {
      const path = `/v2/${seg(target.projectId)}/workspace-jobs/${seg(target.jobId)}`;
      const raw = await calls.get({ route: 'workspace.showJob', path }, target, credential, parseWorkspaceJob);
      return raw && mapWorkspaceJob(raw, target, report);
    },

    async listSubJobs(query: WorkspaceSubJobQuery, location: JobLocation, credential: Credential) {
      const call = {
        route: 'workspace.listSubJobs',
        path: `/v2/${seg(location.projectId)}/workspace-sub-jobs`,
        query: {
          job_id: query.jobId ?? undefined,
          job_type: query.jobType ?? undefined,
          status: query.status ?? undefined,
          ...pageOf(query),
        },
      };
      const raw = await calls.list(call, location, credential, parseWorkspaceSubJobList);
      return mapWorkspaceSubJobPage(raw, report);
    },
  };
}
