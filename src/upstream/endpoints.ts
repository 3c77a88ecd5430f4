/**
 * Endpoint resolution (docs/upstream.md#endpoints): which base URL serves a service in a region, with the official SDKs'
 * `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` overrides taking precedence.
 */
import { badUserInput } from '../errors.js';
import type { CloudService } from '../model/job.js';

/** Service names as the official SDKs spell them in `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>`. */
export const UPSTREAM_SERVICES = ['WORKSPACE', 'WORKSPACEAPP', 'GAUSSDB', 'CPH'] as const;
export type UpstreamServiceName = (typeof UPSTREAM_SERVICES)[number];

/** Our service enum → the name the official SDKs use in override variables. */
export const SDK_SERVICE_NAME: Record<CloudService, UpstreamServiceName> = {
  WORKSPACE: 'WORKSPACE',
  APP_STREAMING: 'WORKSPACEAPP',
  GAUSSDB_MYSQL: 'GAUSSDB',
  CLOUD_PHONE: 'CPH',
};

// Region lists of the Go SDK (docs/upstream.md#endpoints). Huawei adds regions often: an override reaches any other.
const WORKSPACE_REGIONS = [
  'cn-east-3', 'cn-north-4', 'cn-south-1', 'cn-southwest-2', 'la-south-2', 'sa-brazil-1', 'la-north-2',
  'ap-southeast-3', 'cn-north-9', 'ap-southeast-1', 'cn-east-5', 'me-east-1', 'af-south-1', 'tr-west-1',
  'cn-north-11', 'af-north-1', 'ap-southeast-2', 'eu-west-101',
];
// App Streaming has its own host in mainland China and shares the Workspace host elsewhere.
const APP_STREAMING_MAINLAND = ['cn-north-9', 'cn-southwest-2', 'cn-north-4', 'cn-east-3', 'cn-south-1'];
const APP_STREAMING_ON_WORKSPACE_HOST = [
  'la-south-2', 'sa-brazil-1', 'la-north-2', 'ap-southeast-3', 'ap-southeast-1', 'cn-east-5', 'me-east-1',
  'af-south-1', 'tr-west-1', 'cn-north-11', 'af-north-1', 'ap-southeast-2',
];
const CPH_REGIONS = [
  'ru-northwest-2', 'ap-southeast-3', 'ap-southeast-1', 'cn-north-4', 'cn-south-1', 'cn-southwest-2', 'cn-east-3',
  'cn-east-2', 'cn-north-9', 'la-south-2', 'la-north-2', 'af-north-1', 'cn-east-4',
];
// GaussDB(for MySQL) uses three host names depending on the region.
const GAUSSDB_HOSTS: Record<string, string[]> = {
  gaussdb: [
    'cn-north-4', 'cn-southwest-2', 'cn-east-3', 'cn-south-1', 'ru-northwest-2', 'ap-southeast-3', 'cn-north-2',
    'cn-north-9', 'ap-southeast-4', 'sa-brazil-1', 'cn-south-4',
  ],
  gaussdbformysql: ['tr-west-1', 'ap-southeast-1', 'ap-southeast-2', 'cn-north-11', 'me-east-1'],
  'gaussdb-mysql': ['af-south-1', 'cn-east-5', 'la-north-2'],
};

function host(prefix: string, region: string): string {
  return `https://${prefix}.${region}.myhuaweicloud.com`;
}

/** The documented base URL of a service in a region, or null when the SDK does not know the region. */
export function defaultEndpoint(service: CloudService, region: string): string | null {
  switch (service) {
    case 'WORKSPACE':
      return WORKSPACE_REGIONS.includes(region) ? host('workspace', region) : null;
    case 'APP_STREAMING':
      if (APP_STREAMING_MAINLAND.includes(region)) return host('appstream', region);
      return APP_STREAMING_ON_WORKSPACE_HOST.includes(region) ? host('workspace', region) : null;
    case 'CLOUD_PHONE':
      return CPH_REGIONS.includes(region) ? host('cph', region) : null;
    case 'GAUSSDB_MYSQL': {
      const prefix = Object.entries(GAUSSDB_HOSTS).find(([, regions]) => regions.includes(region))?.[0];
      return prefix ? host(prefix, region) : null;
    }
  }
}

export class EndpointResolver {
  /**
   * @param overrides `SERVICE/region` → base URLs (first primary, the rest fallbacks), from config.
   * @param simulatorUrl when set, every known region of every service is served by the embedded simulator.
   */
  constructor(
    private readonly overrides: ReadonlyMap<string, readonly string[]>,
    private readonly simulatorUrl: string | null = null,
  ) {}

  /** Base URLs for (service, region), primary first. Throws BAD_USER_INPUT for a region nobody serves. */
  resolve(service: CloudService, region: string): readonly string[] {
    const override = this.overrides.get(`${SDK_SERVICE_NAME[service]}/${region}`);
    if (override && override.length > 0) return override;
    const documented = defaultEndpoint(service, region);
    if (documented === null) {
      throw badUserInput(
        `Region "${region}" has no ${service} endpoint; set HUAWEICLOUD_SDK_REGION_${SDK_SERVICE_NAME[service]}_${region.toUpperCase().replace(/-/g, '_')} to reach it`,
      );
    }
    return [this.simulatorUrl ?? documented];
  }
}
