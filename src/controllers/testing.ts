// Test helper shared by the controller tests: run controllers against a real API server the way the
// manager does (one informer factory, start each controller, then start and sync the informers).
// Start the server with src/client/testing/server.ts's startTestServer.

import { EventRecorder, InformerFactory, RestClient } from '../client/index.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext, type ControllerOptions } from './types.js';

export interface RunningControllers {
  client: RestClient;
  ctx: ControllerContext;
  stop(): Promise<void>;
}

export async function runControllers(kubeconfig: string, controllers: Controller[], options: Partial<ControllerOptions> = {}): Promise<RunningControllers> {
  const client = await RestClient.fromKubeconfig(kubeconfig, { qps: 0 });
  const informers = new InformerFactory(client);
  const ac = new AbortController();
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder(client, { component });
      recorders.push(r);
      return r;
    },
    options: { ...DEFAULT_CONTROLLER_OPTIONS, ...options },
    signal: ac.signal,
  };
  for (const c of controllers) await c.start(ctx);
  informers.start();
  await informers.waitForSync(ac.signal);
  return {
    client,
    ctx,
    async stop() {
      ac.abort();
      await informers.stop();
      await Promise.all(recorders.map((r) => r.stop()));
      client.close();
    },
  };
}
