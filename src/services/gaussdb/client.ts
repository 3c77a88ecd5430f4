/** GaussDB(for MySQL) / TaurusDB: ShowGaussMySqlJobInfo (docs/upstream.md#gaussdb). */
import type { Credential } from '../../auth/credentials.js';
import type { JobRef } from '../../model/job-ref.js';
import type { UnknownStatusReport } from '../../model/status.js';
import type { UpstreamTransport } from '../../upstream/http.js';
import { getParsed, seg } from '../call.js';
import type { ServiceClients } from '../clients.js';
import { mapGaussDbJob } from './map.js';
import { parseGaussDbJob } from './raw.js';

export function createGaussDbClient(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients['gaussDb'] {
  return {
    async showJob(target: JobRef, credential: Credential) {
      const raw = await getParsed(
        transport,
        {
          service: 'GAUSSDB_MYSQL',
          route: 'gaussdb.showJob',
          region: target.region,
          projectId: target.projectId,
          path: `/v3/${seg(target.projectId)}/jobs`,
          query: { id: target.jobId },
          credential,
        },
        parseGaussDbJob,
      );
      return raw && mapGaussDbJob(raw, target, report);
    },
  };
}
