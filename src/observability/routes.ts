/** GET /healthz (the process is alive), GET /readyz (configured and not shutting down), GET /metrics. */
import { Router } from 'express';
import type { Metrics } from './metrics.js';

export function observabilityRoutes(metrics: Metrics, isReady: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const ready = isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'shutting down' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
