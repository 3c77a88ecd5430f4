import type { UpstreamTransport } from '../upstream/http.js';
import { createAppStreamingClient } from './app-streaming/client.js';
import type { ServiceClients } from './clients.js';
import { createCloudPhoneClient } from './cloud-phone/client.js';
import { createGaussDbClient } from './gaussdb/client.js';
import { createWorkspaceClient } from './workspace/client.js';

export function createServiceClients(transport: UpstreamTransport): ServiceClients {
  return {
    workspace: createWorkspaceClient(transport),
    appStreaming: createAppStreamingClient(transport),
    gaussDb: createGaussDbClient(transport),
    cloudPhone: createCloudPhoneClient(transport),
  };
}
