/** Cloud Phone (CPH): ShowJob and the batched ListJobs?request_ids= (docs/upstream.md#cloud-phone). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { CloudPhoneJobModel, JobLocation } from '../../model/job.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { callsOf, seg } from '../call.js';
import { CLOUD_PHONE_REQUEST_IDS_PER_CALL, type ServiceClients } from '../clients.js';
import { mapCloudPhoneJob, mapCloudPhoneJobList } from './map.js';
import { parseCloudPhoneJob, parseCloudPhoneJobList } from './raw.js';

/** Documented page size maximum; a request id can cover more jobs than one page holds. */
const PAGE = 100;
/** Bound on pages per call, so a misbehaving upstream cannot keep us paging forever. */
const MAX_PAGES = 50;

export function createCloudPhoneClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['cloudPhone'] {
  const calls = callsOf(transport, 'CLOUD_PHONE');
  return {
    async showJob(target: JobRef, credential: Credential) {
      const path = `/v1/${seg(target.projectId)}/cloud-phone/jobs/${seg(target.jobId)}`;
      const raw = await calls.get({ route: 'cloudPhone.showJob', path }, target, credential, parseCloudPhoneJob);
      return raw && mapCloudPhoneJob(raw, target, null, report);
    },

    async listJobs(requestIds: readonly string[], location: JobLocation, credential: Credential) {
      if (requestIds.length === 0 || requestIds.length > CLOUD_PHONE_REQUEST_IDS_PER_CALL) {
        throw new RangeError(`listJobs takes 1..${CLOUD_PHONE_REQUEST_IDS_PER_CALL} request ids`);
      }
      const jobs: CloudPhoneJobModel[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const call = {
          route: 'cloudPhone.listJobs',
          path: `/v1/${seg(location.projectId)}/cloud-phone/jobs`,
          query: { request_ids: requestIds.join(','), offset: page * PAGE, limit: PAGE },
        };
        const raw = await calls.list(call, location, credential, parseCloudPhoneJobList);
        const items = mapCloudPhoneJobList(raw, location, requestIds.length === 1 ? requestIds[0] : null, report);
        jobs.push(...items);
        if (raw.jobs.length < PAGE) break;
      }
      return jobs;
    },
  };
}
