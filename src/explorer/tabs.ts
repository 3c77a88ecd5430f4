/**
 * The operations the explorer opens with: against the simulator, the README's demo operations (one query per
 * service and a live subscription), built from `DEMO` so ids live in one place; against the real cloud, one
 * generic example to fill in.
 */
import { DEMO, type Demo } from '../simulator/demo.js';

/** One GraphiQL tab (`defaultTabs`); `variables` and `headers` are JSON text. */
export interface ExplorerTab {
  query: string;
  variables?: string;
  headers?: string;
}

/** The header editor's starting content: where the IAM token goes (empty values are not sent). */
export const DEFAULT_HEADERS = JSON.stringify({ 'X-Auth-Token': '' }, null, 2);

const TOKEN_HINT = [
  '# Your IAM token goes in the Headers pane below:',
  '#   {"X-Auth-Token": "…"}',
  '# It is sent as an HTTP header on queries and as',
  '# graphql-ws connectionParams on subscriptions.',
  '# Empty values are not sent.',
];

function tab(query: string): ExplorerTab {
  return { query, headers: DEFAULT_HEADERS };
}

/** `job(ref: …)` with the ref on its own lines, so it fits the editor pane. */
function jobRef(field: string, service: string, jobId: string): string[] {
  return [`  ${field}(ref: {`, `    service: ${service}`, `    jobId: "${jobId}"`, '  }) {'];
}

/**
 * The demo operations for `UPSTREAM=simulator`: one query per service (the README's), then `jobUpdated` on
 * the advancing GaussDB task (or on `subscriptionJobId`).
 */
export function demoTabs(demo: Demo = DEMO, options: { subscriptionJobId?: string } = {}): ExplorerTab[] {
  const followed = options.subscriptionJobId ?? demo.gaussdb.advancing;
  return [
    tab(
      [
        '# Demo jobs of the embedded simulator: a tab per',
        '# service, and a live subscription in the last.',
        '# Press ▶ (or Ctrl+Enter) to run.',
        '#',
        ...TOKEN_HINT,
        '# The simulator needs none: without a token the',
        '# server signs its calls with the demo AK/SK.',
        '#',
        '# A Workspace job whose parent says COMPLETE but',
        '# one of whose desktops failed is FAILED, with',
        "# the failed sub-job's error.",
        'query WorkspaceJob {',
        ...jobRef('job', 'WORKSPACE', demo.workspace.completeWithFailedSubJob),
        '    jobType',
        '    state',
        '    rawStatus',
        '    terminal',
        '    progress',
        '    error { code message }',
        '    subJobs { id state rawStatus progress }',
        '    entities {',
        '      __typename',
        '      ... on Desktop { id name userName }',
        '    }',
        '    ... on WorkspaceJob { subJobsTotal }',
        '  }',
        '}',
        '',
      ].join('\n'),
    ),
    tab(
      [
        '# An Application Streaming v1 job reports an',
        '# integer status (0 failed, 1 succeeded,',
        '# 2 processing, 3 initializing); rawStatus keeps',
        '# it verbatim.',
        'query AppStreamingJob {',
        ...jobRef('job', 'APP_STREAMING', demo.appStreaming.failed),
        '    state',
        '    rawStatus',
        '    terminal',
        '    error { code message }',
        '    subJobs { id state rawStatus }',
        '    entities {',
        '      __typename',
        '      ... on AppServer { id }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    ),
    tab(
      [
        '# A GaussDB(for MySQL) task running at "60%".',
        'query GaussDBJob {',
        ...jobRef('job', 'GAUSSDB_MYSQL', demo.gaussdb.running),
        '    __typename',
        '    jobType',
        '    state',
        '    rawStatus',
        '    terminal',
        '    progress',
        '    ... on GaussDBJob {',
        '      instance { id name }',
        '      resources { id }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    ),
    tab(
      [
        '# A Cloud Phone job (status 2: succeeded).',
        'query CloudPhoneJob {',
        ...jobRef('job', 'CLOUD_PHONE', demo.cloudPhone.success),
        '    state',
        '    rawStatus',
        '    terminal',
        '    ... on CloudPhoneJob {',
        '      requestId',
        '      executeMessage',
        '      phone { id }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    ),
    tab(
      [
        '# Live status over graphql-ws on the same',
        '# /graphql path: the current state at once, then',
        '# each change you can see in your selection; it',
        '# completes after a terminal state.',
        '# ▶ starts it, ■ stops it.',
        '#',
        '# This demo GaussDB task climbs from 10% to',
        '# Completed (a step about every 7 s) in the',
        '# first ten minutes after the server starts;',
        '# later it is Completed and you get one message.',
        'subscription FollowGaussDBJob {',
        ...jobRef('jobUpdated', 'GAUSSDB_MYSQL', followed),
        '    jobId',
        '    state',
        '    rawStatus',
        '    progress',
        '    terminal',
        '    error { code message }',
        '  }',
        '}',
        '',
      ].join('\n'),
    ),
  ];
}

/** The example for `UPSTREAM=huaweicloud`: no demo ids, a job to fill in. */
export function genericTabs(): ExplorerTab[] {
  return [tab(GENERIC_QUERY)];
}

/** Also what a new tab starts with. */
export const GENERIC_QUERY = [
  '# Fill in the service and the upstream job id,',
  '# then press ▶ (or Ctrl+Enter). projectId and',
  '# region default to HUAWEICLOUD_SDK_PROJECT_ID',
  '# and HUAWEICLOUD_REGION.',
  '#',
  ...TOKEN_HINT,
  '# Without one, the server uses its own AK/SK.',
  '#',
  '# For live status, subscribe:',
  '#   subscription {',
  '#     jobUpdated(ref: …) { state progress }',
  '#   }',
  'query Job {',
  ...jobRef('job', 'GAUSSDB_MYSQL', 'your-job-id'),
  '    jobId',
  '    jobType',
  '    state',
  '    rawStatus',
  '    terminal',
  '    progress',
  '    startedAt',
  '    finishedAt',
  '    error { code message }',
  '  }',
  '}',
  '',
].join('\n');
