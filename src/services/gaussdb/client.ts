/** GaussDB(for MySQL) / TaurusDB: ShowGaussMySqlJobInfo (docs/upstream.md#gaussdb). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { callsOf, seg } from '../call.js';
import type { ServiceClients } from '../clients.js';
import { mapGaussDbJob } from './map.js';
import { parseGaussDbJob } from './raw.js';

export function createGaussDbClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['gaussDb'] {
  const calls = callsOf(transport, 'GAUSSDB_MYSQL');
  return {
    async showJob(target: JobRef, credential: Credential) {
      const call = { route: 'gaussdb.showJob', path: `/v3/${seg(target.projectId)}/jobs`, query: { id: target.jobId } };
      const raw = await calls.get(call, target, credential, parseGaussDbJob);
      return raw && mapGaussDbJob(raw, target, report);
    },
  };
}
