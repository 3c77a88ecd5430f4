/**
 * The demo data set (docs/upstream.md#simulator): in the demo project, every service has a job in every raw status of
 * docs/upstream.md#statuses, and one job per service that advances through its lifecycle for about ten minutes after start.
 * Times are relative to the start, so the data always looks recent.
 */
import { createHash } from 'node:crypto';
import { DEMO } from './demo.js';
import type { JobInput, TimelineStep } from './records/index.js';
import type { JobStore } from './store.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** The advancing jobs reach a terminal state this long after start. */
export const ADVANCING_DURATION_MS = 10 * MINUTE;

/** Stable ids for entities nobody needs to name (desktops, servers, phones): derived, so they never change. */
function derivedHex(label: string): string {
  return createHash('sha256').update(`cloud-jobs-demo:${label}`).digest('hex').slice(0, 32);
}

function derivedUuid(label: string): string {
  const h = derivedHex(label);
  const variant = '89ab'[parseInt(h[16]!, 16) % 4]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An App Streaming server name like `APS-20230606023006-YM08IXT04C`. */
function serverName(label: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  const suffix = [...derivedHex(label).slice(0, 10)].map((c) => alphabet[parseInt(c, 16) * 2]).join('');
  return `APS-${stamp}-${suffix}`;
}

// ---------------------------------------------------------------------------------------------------------
// Workspace

function desktop(label: string, n: number) {
  return {
    desktopId: derivedUuid(`desktop:${label}`),
    productId: n % 2 === 0 ? 'workspace.x86.ultimate.large2' : 'workspace.c2.large.windows',
    userName: `user-demo-${String(n).padStart(2, '0')}`,
    desktopName: `wks-demo-${String(n).padStart(3, '0')}`,
    ipAddress: `192.168.10.${10 + n}`,
  };
}

function workspaceJobs(start: number): JobInput<'workspace'>[] {
  const w = DEMO.workspace;
  const ago = (minutes: number) => start - minutes * MINUTE;
  const host = '10.0.1.23';
  return [
    {
      id: w.waiting,
      jobType: 'createDesktops',
      status: 'WAITING',
      beginTime: ago(1),
      subJobs: [{ id: w.subJobs.waiting, status: 'WAITING', process: 0, entities: desktop('waiting-1', 1) }],
    },
    {
      id: w.running,
      jobType: 'createDesktops',
      status: 'RUNNING',
      beginTime: ago(6),
      subJobs: [
        {
          id: w.subJobs.running,
          status: 'RUNNING',
          process: 45,
          host,
          attachUser: 'user-demo-02',
          entities: desktop('running-1', 2),
        },
        { id: '680f31db-d096-44e4-911f-2fe37ac832d9', status: 'WAITING', process: 0, entities: desktop('running-2', 3) },
      ],
    },
    {
      id: w.success,
      jobType: 'rebuildDesktops',
      status: 'SUCCESS',
      beginTime: ago(180),
      endTime: ago(168),
      subJobs: [
        {
          id: w.subJobs.success,
          status: 'SUCCESS',
          process: 100,
          beginTime: ago(180),
          endTime: ago(168),
          host,
          attachUser: 'user-demo-04',
          entities: desktop('success-1', 4),
        },
      ],
    },
    {
      id: w.completeAllSucceeded,
      jobType: 'expandDesktopPool',
      status: 'COMPLETE',
      beginTime: ago(300),
      endTime: ago(281),
      subJobs: ['85e764c1-242f-43fc-84d5-3581886913f1', '452ba232-c1cc-437b-8fbc-f81ba2734175'].map((id, i) => ({
        id,
        status: 'SUCCESS',
        process: 100,
        beginTime: ago(300),
        endTime: ago(283 - i * 2),
        host,
        desktopPoolId: w.desktopPoolId,
        entities: desktop(`pool-${i}`, 5 + i),
      })),
    },
    {
      id: w.completeWithFailedSubJob,
      jobType: 'createDesktops',
      status: 'COMPLETE',
      beginTime: ago(95),
      endTime: ago(74),
      subJobs: [
        {
          id: '1d124eb5-e06a-428c-aaf3-61bf04953b0e',
          status: 'SUCCESS',
          process: 100,
          beginTime: ago(95),
          endTime: ago(76),
          host,
          entities: desktop('partial-1', 7),
        },
        {
          id: w.subJobs.failed,
          status: 'FAILED',
          process: 60,
          beginTime: ago(95),
          endTime: ago(74),
          host,
          errorCode: 'WKS.00120107',
          failReason: 'Insufficient ECS capacity for the flavor in the availability zone.',
          entities: desktop('partial-2', 8),
        },
      ],
    },
    {
      id: w.fail,
      jobType: 'deleteDesktops',
      status: 'FAIL',
      beginTime: ago(50),
      endTime: ago(48),
      jobErrorCode: 'WKS.00120301',
      failReason: 'Failed to delete the desktop: the desktop is being operated on.',
      subJobs: [
        {
          id: '932852c2-2ee4-4d51-93f4-9e55ada784f3',
          status: 'FAILED',
          process: 0,
          beginTime: ago(50),
          endTime: ago(48),
          errorCode: 'WKS.00120301',
          failReason: 'The desktop is being operated on.',
          entities: desktop('fail-1', 9),
        },
      ],
    },
    {
      id: w.failed,
      jobType: 'addVolumes',
      status: 'FAILED',
      beginTime: ago(30),
      endTime: ago(29),
      jobErrorCode: 'WKS.00110405',
      failReason: 'The EVS disk quota is insufficient.',
      subJobs: [
        {
          id: '6b23c1ef-6467-4df6-9cf2-dfb418613788',
          status: 'FAILED',
          process: 0,
          beginTime: ago(30),
          endTime: ago(29),
          errorCode: 'WKS.00110405',
          failReason: 'The EVS disk quota is insufficient.',
          entities: desktop('failed-1', 10),
        },
      ],
    },
    advancingWorkspaceJob(start),
  ];
}

/** Two desktops being created: WAITING for 8 s, then the progress rises every 8 s until ~10 minutes. */
function advancingWorkspaceJob(start: number): JobInput<'workspace'> {
  const [s1, s2] = ['c21a6721-3a72-4cf9-b63d-7bc40b54e805', '69f2090b-6728-4b68-8ac2-4e92d275f0ff'] as const;
  const step = 8 * SECOND;
  const s1Done = ADVANCING_DURATION_MS - 32 * SECOND;
  const timeline: TimelineStep<'workspace'>[] = [
    {
      afterMs: step,
      status: 'RUNNING',
      subJobs: [
        { id: s1, status: 'RUNNING', host: '10.0.1.24' },
        { id: s2, status: 'RUNNING', host: '10.0.1.25' },
      ],
    },
  ];
  for (let t = 2 * step; t < ADVANCING_DURATION_MS; t += step) {
    const progress = (done: number) => Math.min(99, Math.floor(((t - step) / (done - step)) * 100));
    timeline.push({
      afterMs: t,
      subJobs: [
        t >= s1Done ? { id: s1, status: 'SUCCESS', process: 100 } : { id: s1, process: progress(s1Done) },
        { id: s2, process: progress(ADVANCING_DURATION_MS) },
      ],
    });
  }
  timeline.push({ afterMs: ADVANCING_DURATION_MS, status: 'SUCCESS', subJobs: [{ id: s2, status: 'SUCCESS', process: 100 }] });
  return {
    id: DEMO.workspace.advancing,
    jobType: 'createDesktops',
    status: 'WAITING',
    createdAt: start,
    beginTime: start,
    subJobs: [
      { id: s1, status: 'WAITING', process: 0, entities: desktop('live-1', 11) },
      { id: s2, status: 'WAITING', process: 0, entities: desktop('live-2', 12) },
    ],
    timeline,
  };
}

// ---------------------------------------------------------------------------------------------------------
// App Streaming

type ResourcePatch = NonNullable<NonNullable<JobInput<'appStreaming'>['subJobs']>[number]['resource']>;

function appServer(label: string, at: number): ResourcePatch {
  return {
    resourceId: derivedUuid(`server:${label}`),
    resourceName: serverName(label, at),
    cloudServiceType: 'hws.service.type.vdi',
    resourceType: 'hws.resource.type.workspace.appstream',
    resourceSpecCode: 'workspace.appstream.general.xlarge.4',
    processedTime: at,
    isMainResource: 1,
    mainResources: [
      {
        relativeResourceId: derivedUuid(`vm:${label}`),
        relativeResourceName: '',
        relativeType: 1,
        relativeCloudServiceType: 'hws.service.type.ec2',
        relativeResourceType: 'hws.resource.type.vm',
      },
    ],
  };
}

/** The 18-digit id of the k-th (0-based) sub-job of a parent: snowflake-like, just after the parent's. */
function appSubJobId(parent: string, k: number): string {
  return (BigInt(parent) + BigInt(k + 1) * 37748736n + BigInt(4097 * (k + 1))).toString();
}

function appStreamingJobs(start: number): JobInput<'appStreaming'>[] {
  const a = DEMO.appStreaming;
  const ago = (minutes: number) => start - minutes * MINUTE;
  const unavailable = { errorCode: 'WKS.00129901', errorMessage: 'The service is now unavailable to process the request.' };
  return [
    {
      id: a.waiting,
      jobType: 'CREATE_SERVER',
      status: 'WAITING',
      beginTime: ago(1),
      expectedEndTime: start + 14 * MINUTE,
      subJobs: [0, 1].map((k) => ({
        id: appSubJobId(a.waiting, k),
        status: 'WAITING',
        resource: appServer(`waiting-${k}`, ago(1)),
      })),
    },
    {
      id: a.running,
      jobType: 'REINSTALL_OS',
      status: 'RUNNING',
      beginTime: ago(7),
      expectedEndTime: start + 8 * MINUTE,
      subJobs: ['RUNNING', 'ROLLBACK', 'ABORTING', 'WAITING'].map((status, k) => ({
        id: appSubJobId(a.running, k),
        status,
        beginTime: ago(7),
        resource: appServer(`running-${k}`, ago(30)),
      })),
    },
    {
      id: a.success,
      jobType: 'CHANGE_SERVER_IMAGE',
      status: 'SUCCESS',
      beginTime: ago(240),
      endTime: ago(224),
      expectedEndTime: ago(220),
      executeCode: '0',
      executeMessage: 'success',
      subJobs: [0, 1].map((k) => ({
        id: appSubJobId(a.success, k),
        status: 'SUCCESS',
        beginTime: ago(240),
        endTime: ago(225 - k),
        resource: appServer(`success-${k}`, ago(400)),
      })),
    },
    {
      id: a.failed,
      jobType: 'CREATE_SERVER',
      status: 'FAILED',
      beginTime: ago(70),
      endTime: ago(52),
      expectedEndTime: ago(55),
      executeCode: unavailable.errorCode,
      executeMessage: unavailable.errorMessage,
      subJobs: [
        {
          id: a.subJobs.failed,
          status: 'FAILED',
          beginTime: ago(70),
          endTime: ago(52),
          ...unavailable,
          resource: appServer('failed-0', ago(70)),
        },
        {
          id: a.subJobs.abnormal,
          status: 'ABNORMAL',
          beginTime: ago(70),
          endTime: ago(53),
          errorCode: 'WKS.00129902',
          errorMessage: 'The server is abnormal: the access agent did not register.',
          resource: appServer('failed-1', ago(70)),
        },
        {
          id: appSubJobId(a.failed, 2),
          status: 'SUCCESS',
          beginTime: ago(70),
          endTime: ago(56),
          resource: appServer('failed-2', ago(70)),
        },
      ],
    },
    {
      id: a.nestedShape,
      jobType: 'DELETE_SERVER',
      status: 'FAILED',
      subJobShape: 'nested',
      beginTime: ago(20),
      endTime: ago(17),
      expectedEndTime: ago(15),
      executeCode: unavailable.errorCode,
      executeMessage: unavailable.errorMessage,
      subJobs: [
        {
          id: appSubJobId(a.nestedShape, 0),
          status: 'SUCCESS',
          beginTime: ago(20),
          endTime: ago(18),
          resource: appServer('nested-0', ago(900)),
        },
        {
          id: appSubJobId(a.nestedShape, 1),
          status: 'FAILED',
          beginTime: ago(20),
          endTime: ago(17),
          ...unavailable,
          resource: appServer('nested-1', ago(900)),
        },
      ],
    },
    advancingAppStreamingJob(start),
  ];
}

/**
 * 24 servers created one after another: a sub-job starts every 25 s and takes 12.5 s, so some sub-job changes
 * every 12.5 s; the last ends just before the parent succeeds at 10 minutes.
 */
function advancingAppStreamingJob(start: number): JobInput<'appStreaming'> {
  const parent = DEMO.appStreaming.advancing;
  const count = 24;
  const gap = 25 * SECOND;
  const run = 12.5 * SECOND;
  const firstStart = 10 * SECOND;
  const byTime = new Map<number, TimelineStep<'appStreaming'>>();
  const at = (afterMs: number) => {
    let step = byTime.get(afterMs);
    if (!step) byTime.set(afterMs, (step = { afterMs, subJobs: [] }));
    return step;
  };
  at(firstStart).status = 'RUNNING';
  for (let k = 0; k < count; k++) {
    const id = appSubJobId(parent, k);
    at(firstStart + k * gap).subJobs!.push({ id, status: 'RUNNING', beginTime: start + firstStart + k * gap });
    at(firstStart + k * gap + run).subJobs!.push({ id, status: 'SUCCESS' });
  }
  const end = at(ADVANCING_DURATION_MS);
  Object.assign(end, { status: 'SUCCESS', executeCode: '0', executeMessage: 'success' });
  return {
    id: parent,
    jobType: 'CREATE_SERVER',
    status: 'WAITING',
    createdAt: start,
    beginTime: start,
    expectedEndTime: start + ADVANCING_DURATION_MS,
    subJobs: Array.from({ length: count }, (_, k) => ({
      id: appSubJobId(parent, k),
      status: 'WAITING',
      expectedEndTime: start + firstStart + k * gap + run,
      resource: appServer(`live-${k}`, start),
    })),
    timeline: [...byTime.values()],
  };
}

// ---------------------------------------------------------------------------------------------------------
// GaussDB(for MySQL)

function clusterEntities(instanceId: string, endpoint: string): Record<string, unknown> {
  return {
    instance: { endpoint, type: 'Cluster', datastore: { type: 'gaussdb-mysql', version: '8.0' } },
    resource_ids: [`${instanceId}.vm`, `${instanceId}.volume`],
  };
}

function gaussdbJobs(start: number): JobInput<'gaussdb'>[] {
  const g = DEMO.gaussdb;
  const i = g.instances;
  const ago = (minutes: number) => start - minutes * MINUTE;
  return [
    {
      id: g.pending,
      name: 'RebootGaussDBforMySQLInstance',
      status: 'Pending',
      created: ago(2),
      instance: { id: i.orders, name: 'gauss-demo-orders' },
      instanceStatus: 'normal',
    },
    {
      id: g.running,
      name: 'AddGaussDBforMySQLNodes',
      status: 'Running',
      created: ago(9),
      process: 60,
      instance: { id: i.analytics, name: 'gauss-demo-analytics' },
      instanceStatus: 'normal',
      entities: { resource_ids: [`${i.analytics}.vm`] },
    },
    {
      id: g.completed,
      name: 'CreateGaussDBforMySQLInstance',
      status: 'Completed',
      created: ago(26 * 60),
      ended: ago(26 * 60 - 23),
      instance: { id: i.billing, name: 'gauss-demo-billing' },
      instanceStatus: 'normal',
      entities: clusterEntities(i.billing, '192.168.1.203:3306'),
      showDetail: true,
    },
    {
      id: g.failed,
      name: 'ResizeGaussDBforMySQLFlavor',
      status: 'Failed',
      created: ago(180),
      ended: ago(171),
      instance: { id: i.reporting, name: 'gauss-demo-reporting' },
      instanceStatus: 'normal',
      failReason: 'Insufficient resources for flavor gaussdb.mysql.4xlarge.x86.4 in the availability zone.',
    },
    advancingGaussDbJob(start),
  ];
}

/** A new instance: Pending 6 s, then Running a percent more every 7.35 s (10%..90% at 594 s), Completed at 10 min. */
function advancingGaussDbJob(start: number): JobInput<'gaussdb'> {
  const live = DEMO.gaussdb.instances.live;
  const firstRun = 6 * SECOND;
  const perPercent = 7350;
  const timeline: TimelineStep<'gaussdb'>[] = [{ afterMs: firstRun, status: 'Running', process: 10 }];
  for (let percent = 11; percent <= 90; percent++) {
    timeline.push({ afterMs: firstRun + (percent - 10) * perPercent, process: percent });
  }
  timeline.push({
    afterMs: ADVANCING_DURATION_MS,
    status: 'Completed',
    instanceStatus: 'normal',
    entities: clusterEntities(live, '192.168.1.87:3306'),
  });
  return {
    id: DEMO.gaussdb.advancing,
    name: 'CreateGaussDBforMySQLInstance',
    status: 'Pending',
    createdAt: start,
    created: start,
    instance: { id: live, name: 'gauss-demo-live' },
    instanceStatus: 'creating',
    showDetail: true,
    timeline,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cloud Phone

const PHONE_NOT_FOUND = { errorCode: 'CPS0005', errorMsg: 'Phone not found.' };

function cloudPhoneJobs(start: number): JobInput<'cloudPhone'>[] {
  const c = DEMO.cloudPhone;
  const ago = (minutes: number) => start - minutes * MINUTE;
  const server = derivedHex('cph-server-1');
  const phone = (n: number) => derivedHex(`phone-${n}`);
  const jobs: JobInput<'cloudPhone'>[] = [
    { id: c.running, requestId: c.requestIds.running, status: 1, phoneId: phone(1), serverId: server, beginTime: ago(1) },
    {
      id: c.success,
      requestId: c.requestIds.success,
      status: 2,
      phoneId: phone(2),
      serverId: server,
      beginTime: ago(42),
      endTime: ago(42) + 6 * SECOND,
      executeMsg: 'package:com.huawei.demo.shop\npackage:com.huawei.demo.game',
    },
    {
      id: c.failed,
      requestId: c.requestIds.failed,
      status: -1,
      phoneId: phone(3),
      serverId: server,
      beginTime: ago(15),
      endTime: ago(15) + 30 * SECOND,
      ...PHONE_NOT_FOUND,
    },
    {
      id: c.serverJob,
      requestId: c.requestIds.server,
      status: 2,
      serverId: derivedHex('cph-server-2'),
      beginTime: ago(120),
      endTime: ago(118),
    },
    ...c.batch.map(
      (id, k): JobInput<'cloudPhone'> => ({
        id,
        requestId: c.requestIds.batch,
        status: k === 2 ? -1 : 2,
        phoneId: phone(10 + k),
        serverId: server,
        beginTime: ago(65),
        endTime: ago(65) + (30 + k) * SECOND,
        ...(k === 2 ? PHONE_NOT_FOUND : {}),
      }),
    ),
  ];
  // The advancing request: 20 phone restarts, one finishing every 30 s; the last is DEMO.cloudPhone.advancing.
  for (let k = 0; k < 20; k++) {
    const id = k === 19 ? c.advancing : derivedHex(`cph-live-job-${k}`);
    const fails = k === 6;
    jobs.push({
      id,
      requestId: c.requestIds.advancing,
      status: 1,
      phoneId: phone(100 + k),
      serverId: derivedHex('cph-server-3'),
      createdAt: start,
      beginTime: start,
      timeline: [{ afterMs: (k + 1) * 30 * SECOND, ...(fails ? { status: -1, ...PHONE_NOT_FOUND } : { status: 2 }) }],
    });
  }
  return jobs;
}

/** Loads the demo jobs into the demo project; `start` anchors all times and the advancing lifecycles. */
export function seedDemoJobs(store: JobStore, start: number): void {
  const projectId = DEMO.projectId;
  for (const job of workspaceJobs(start)) store.add('workspace', { createdAt: start, ...job, projectId });
  for (const job of appStreamingJobs(start)) store.add('appStreaming', { createdAt: start, ...job, projectId });
  for (const job of gaussdbJobs(start)) store.add('gaussdb', { createdAt: start, ...job, projectId });
  for (const job of cloudPhoneJobs(start)) store.add('cloudPhone', { createdAt: start, ...job, projectId });
}
