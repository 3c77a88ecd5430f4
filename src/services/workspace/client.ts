/** Workspace (desktops): ShowJob and ListItaSubJobs (docs/upstream.md#workspace). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { JobLocation } from '../../model/job.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { getParsed, getParsedList, seg } from '../call.js';
import type { ServiceClients, WorkspaceSubJobQuery } from '../clients.js';
import { mapWorkspaceJob, mapWorkspaceSubJobPage } from './map.js';
import { parseWorkspaceJob, parseWorkspaceSubJobList } from './raw.js';

export function createWorkspaceClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['workspace'] {
  return {
    async showJob(target: JobRef, credential: Credential) {
      const raw = await getParsed(
        transport,
        {
          service: 'WORKSPACE',
          route: 'workspace.showJob',
          region: target.region,
          projectId: target.projectId,
          path: `/v2/${seg(target.projectId)}/workspace-jobs/${seg(target.jobId)}`,
          credential,
        },
        parseWorkspaceJob,
      );
      return raw && mapWorkspaceJob(raw, target, report);
    },

    async listSubJobs(query: WorkspaceSubJobQuery, location: JobLocation, credential: Credential) {
      const raw = await getParsedList(
        transport,
        {
          service: 'WORKSPACE',
          route: 'workspace.listSubJobs',
          region: location.region,
          projectId: location.projectId,
          path: `/v2/${seg(location.projectId)}/workspace-sub-jobs`,
          query: {
            job_id: query.jobId ?? undefined,
            job_type: query.jobType ?? undefined,
            status: query.status ?? undefined,
            offset: query.offset,
            limit: query.limit,
          },
          credential,
        },
        parseWorkspaceSubJobList,
      );
      return mapWorkspaceSubJobPage(raw, report);
    },
  };
}
