/**
 * Demo credentials (docs/upstream.md#simulator) and every seeded job id, grouped by service and status, so the README and
 * tests can name them. The records behind them are built in seed.ts.
 */

export const DEMO = {
  region: 'cn-north-4',
  projectId: '0123456789abcdef0123456789abcdef',
  token: 'demo-token',
  ak: 'DEMOACCESSKEY0000000',
  sk: 'demo-secret-key-0000000000000000',

  /** Parent statuses WAITING, RUNNING, SUCCESS, COMPLETE (both outcomes), FAIL and FAILED (docs/upstream.md#statuses). */
  workspace: {
    waiting: 'bbfa42ae-e0f8-4109-8746-cb8688bf3ec2',
    running: '4fc41b3b-e755-4b85-a88d-c58c8817b4f8',
    success: '7156c61c-40cd-4f7e-99f0-5c4133ad7592',
    /** COMPLETE, every sub-job SUCCESS (an expandDesktopPool job; its sub-jobs carry the pool id). */
    completeAllSucceeded: 'c0e8e53f-677c-47d6-9fa3-0103a4359764',
    /** COMPLETE with one FAILED sub-job. */
    completeWithFailedSubJob: 'dd562248-e080-4c66-962c-9baad1876698',
    fail: '7ea76abf-d69f-4473-8133-e40daf55590d',
    failed: 'cdf79f81-40dc-4874-a29c-05299213fa95',
    /** WAITING → RUNNING (process rising every 8 s) → SUCCESS about 10 minutes after start. */
    advancing: '51f7058e-2877-492b-b5e1-18eeaa9c7a1b',
    desktopPoolId: 'f1ce4788-6821-4bc4-8ffe-0c71fca49171',
    /** One sub-job per sub-job status. */
    subJobs: {
      waiting: '2a212545-7792-476e-9fd5-fc67ef383553',
      running: '9ebb366d-520f-4ed9-8acc-d99f6130d2b1',
      success: '7a168ada-9713-4321-8e75-b7e01c3914a1',
      failed: 'c5574e96-d025-44be-8d4c-87ba9ac22f0c',
    },
  },

  /** Parent ids work with v1 (`job_status` in brackets) and v2 alike. */
  appStreaming: {
    /** v1 3 / v2 WAITING (CREATE_SERVER). */
    waiting: '744126962157340887',
    /** v1 2 / v2 RUNNING (REINSTALL_OS); its sub-jobs are RUNNING, ROLLBACK, ABORTING and WAITING. */
    running: '744121946396577845',
    /** v1 1 / v2 SUCCESS (CHANGE_SERVER_IMAGE). */
    success: '744127614470786660',
    /** v1 0 / v2 FAILED (CREATE_SERVER); its sub-jobs are FAILED, ABNORMAL and SUCCESS. */
    failed: '744131165859208453',
    /** v1 0 / v2 FAILED (DELETE_SERVER) whose list items use the nested `job_execute_info` shape. */
    nestedShape: '744144241520209861',
    /**
     * 3 → 2 → 1 over about 10 minutes: 24 CREATE_SERVER sub-jobs start and finish one after another
     * (a change every 12.5 s).
     */
    advancing: '744161120067683459',
    /** One sub-job per sub-job status (JobDetailStatus). */
    subJobs: {
      waiting: '744126962195093720',
      running: '744121946434330678',
      rollback: '744121946472083511',
      aborting: '744121946509836344',
      success: '744127614508539493',
      failed: '744131165896961286',
      abnormal: '744131165934714119',
    },
  },

  gaussdb: {
    pending: '29d5dd04-0126-4e98-b915-6f61c54ef86b',
    /** Running at "60%". */
    running: '484e11b4-1291-4fea-8e73-7982b73917f4',
    completed: '49192d88-a9b9-459f-823e-c34664919b75',
    /** Failed, with fail_reason. */
    failed: '8f1c8686-6fe9-49a1-9c4c-c89a84d32ac6',
    /** Pending → Running "10%".."90%" (a step about every 7 s) → Completed about 10 minutes after start. */
    advancing: '69846f42-1e2d-457f-936f-077a942d7b04',
    instances: {
      orders: '9d2c37cf45127f16d8c40f97f798e7a3in07',
      analytics: '64fb48cd9c58345cb62528bcc30a36a6in07',
      billing: '664feddace6696f9e0bddcc7b460e5fdin07',
      reporting: '670c47349edc2ed97cf07cb45a0a03a2in07',
      live: '8d6d6e062cdedbc29a63367c4e8825cain07',
    },
  },

  cloudPhone: {
    /** status 1 (phone-level). */
    running: 'de624f63cf18ccb36a19a52ec07938cc',
    /** status 2 (phone-level, with execute_msg). */
    success: 'f6b183a75bf26fa3df4db6ed29bee296',
    /** status -1 with error_code/error_msg. */
    failed: '3ce17a4907c19ad25feb35a64dd8eafb',
    /** status 2, a server-level task (server_id, no phone_id). */
    serverJob: '5a2f175236a0de3fb10c44cd14dea711',
    /** The jobs of request `requestIds.batch`: 2, 2 and -1. */
    batch: ['da3c62be5317ab1210228589765b5018', '3419a753e42a20dfc3c9a0fca61a0fa0', '8dd2ad1ab8a8550f1a644e88cfa6d440'],
    /** 1 → 2 about 10 minutes after start: the last of the 20 jobs of `requestIds.advancing` (one ends every 30 s). */
    advancing: '86988fa0f7ac14535de2597c577c8538',
    requestIds: {
      running: '48038624673211d4c0ce2611ae119909',
      success: 'ad6bece100d9b2a77481f6dfa6ae74a4',
      failed: '1429638ca5cdfbeb69957dc15666cdfb',
      /** Covers the three jobs of `batch`. */
      batch: '44ec3bdac15691ce3fbbdb86c6dfaadb',
      server: '547643429c6ad2c290999e1e74dfc4d4',
      /** Covers 20 phone restarts finishing one every 30 s (one of them fails). */
      advancing: '25983e1cb3e5aba5661d135d52f00557',
    },
  },
} as const;

export type Demo = typeof DEMO;
