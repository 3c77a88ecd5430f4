import type { UnknownStatusReport } from '../model/status.js';
import type { UpstreamTransport } from '../upstream/http.js';
import { createAppStreamingClient } from './app-streaming/client.js';
import type { ServiceClients } from './clients.js';
import { createCloudPhoneClient } from './cloud-phone/client.js';
import { createGaussDbClient } from './gaussdb/client.js';
import { createWorkspaceClient } from './workspace/client.js';

/** The four clients; `report` hears of raw statuses no source documents. */
export function createServiceClients(transport: UpstreamTransport, report: UnknownStatusReport): ServiceClients {
  return {
    workspace: createWorkspaceClient(transport, report),
    appStreaming: createAppStreamingClient(transport, report),
    gaussDb: createGaussDbClient(transport, report),
    cloudPhone: createCloudPhoneClient(transport, report),
  };
}
