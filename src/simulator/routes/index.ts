/** Every job route of docs/upstream.md#simulator; their paths do not collide, so one server serves all four services. */
import { appStreamingRoutes } from './app-streaming.js';
import { cloudPhoneRoutes } from './cloud-phone.js';
import { gaussdbRoutes } from './gaussdb.js';
import type { RouteDef } from './route.js';
import { workspaceRoutes } from './workspace.js';

export const JOB_ROUTES: readonly RouteDef[] = [
  ...workspaceRoutes,
  ...appStreamingRoutes,
  ...gaussdbRoutes,
  ...cloudPhoneRoutes,
];

export { matchRoute, ROUTE_IDS, isRouteId } from './route.js';
export type { RouteContext, RouteDef, RouteId, RouteMatch } from './route.js';
