/**
 * `npm run simulator`: the simulator alone on loopback (SIMULATOR_PORT, default 4010), for manual poking or for
 * pointing the official SDK at it. Accepts the demo credentials, plus HUAWEICLOUD_SDK_AK/SK when set.
 */
import { createSimulator } from './server.js';
import { DEMO } from './demo.js';
import { onFirstSignal } from '../signals.js';

function port(): number {
  const text = process.env.SIMULATOR_PORT ?? '4010';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) {
    console.error(`SIMULATOR_PORT: must be a port number (0..65535), got "${text}"`);
    process.exit(1);
  }
  return value;
}

const accessKeys: Array<{ ak: string; sk: string }> = [{ ak: DEMO.ak, sk: DEMO.sk }];
const envAk = process.env.HUAWEICLOUD_SDK_AK;
const envSk = process.env.HUAWEICLOUD_SDK_SK;
if (envAk && envSk) accessKeys.push({ ak: envAk, sk: envSk });

const simulator = await createSimulator({ port: port(), host: '127.0.0.1', accessKeys });
// One line; the secret key of an environment pair is never printed.
const keys = envAk && envSk ? `AK ${DEMO.ak} or ${envAk}` : `AK ${DEMO.ak}`;
console.log(
  `Huawei Cloud job simulator at ${simulator.url} (project ${DEMO.projectId}, region ${DEMO.region}; ` +
    `X-Auth-Token: ${DEMO.token} or ${keys}; demo ids: GET ${simulator.url}/_sim/demo)`,
);

onFirstSignal(() => void simulator.close().then(() => process.exit(0)));
