// The controller manager: one shared InformerFactory, every controller's start(), then the
// factory's start and cache sync — all under one leader election on the Lease
// kube-system/kube-controller-manager (or at once without leader election).

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { EventRecorder, InformerFactory, LeaderElector, type RestClient } from '../client/index.js';
import { DEFAULT_CONTROLLER_OPTIONS, type Controller, type ControllerContext, type ControllerOptions } from './types.js';

export const LEADER_ELECTION_NAMESPACE = 'kube-system';
export const LEADER_ELECTION_NAME = 'kube-controller-manager';

export interface ControllerManagerConfig {
  client: RestClient;
  controllers: Controller[];
  leaderElect?: boolean;
  options?: Partial<ControllerOptions>;
  /** Leader-election identity; default `<hostname>_<uuid>`. */
  identity?: string;
  /** Lease timings (seconds); defaults as upstream 15/10/2. */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Called when leadership is lost (not on stop()); the command exits, as upstream does. */
  onLostLeadership?: () => void;
  /** Logs (default console.error). */
  log?: (msg: string) => void;
}

export interface ControllerManager {
  /** Resolves once controllers run and caches have synced (never, while not leading). */
  readonly synced: Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function startControllerManager(cfg: ControllerManagerConfig): ControllerManager {
  const log = cfg.log ?? ((m: string) => console.error(m));
  const options: ControllerOptions = { ...DEFAULT_CONTROLLER_OPTIONS, ...cfg.options };
  const stopAc = new AbortController();
  let leading = false;
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  let running: Promise<void> | undefined;

  const lead = async (signal: AbortSignal): Promise<void> => {
    leading = true;
    setMaxListeners(0, signal); // every informer and worker loop listens for the stop
    const factory = new InformerFactory(cfg.client);
    const recorders = new Map<string, EventRecorder>();
    const ctx: ControllerContext = {
      client: cfg.client,
      informers: factory,
      recorder(component) {
        let r = recorders.get(component);
        if (!r) recorders.set(component, (r = new EventRecorder(cfg.client, { component })));
        return r;
      },
      options,
      signal,
    };
    const done = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    try {
      for (const c of cfg.controllers) {
        try {
          await c.start(ctx);
          log(`controller-manager: started ${c.name}`);
        } catch (err) {
          log(`controller-manager: ${c.name} failed to start: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      factory.start();
      await factory.waitForSync(signal);
      log(`controller-manager: caches synced (${cfg.controllers.length} controllers)`);
      markSynced();
    } catch (err) {
      if (!signal.aborted) log(`controller-manager: ${err instanceof Error ? err.message : String(err)}`);
    }
    await done;
    leading = false;
    await factory.stop();
    await Promise.all([...recorders.values()].map((r) => r.stop().catch(() => undefined)));
  };

  let elector: LeaderElector | undefined;
  if (cfg.leaderElect) {
    elector = new LeaderElector({
      client: cfg.client,
      namespace: LEADER_ELECTION_NAMESPACE,
      name: LEADER_ELECTION_NAME,
      identity: cfg.identity ?? `${hostname()}_${randomUUID()}`,
      ...(cfg.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: cfg.leaseDurationSeconds } : {}),
      ...(cfg.renewDeadlineSeconds !== undefined ? { renewDeadlineSeconds: cfg.renewDeadlineSeconds } : {}),
      ...(cfg.retryPeriodSeconds !== undefined ? { retryPeriodSeconds: cfg.retryPeriodSeconds } : {}),
      onStartedLeading: (signal) => {
        log('controller-manager: became leader');
        running = lead(signal);
      },
      onStoppedLeading: () => {
        if (!stopAc.signal.aborted) {
          log('controller-manager: leader election lost');
          cfg.onLostLeadership?.();
        }
      },
      onNewLeader: (id) => log(`controller-manager: leader is ${id}`),
    });
    void elector.run(stopAc.signal);
  } else {
    running = lead(stopAc.signal);
  }

  return {
    synced,
    isLeader: () => leading,
    async stop() {
      stopAc.abort();
      if (elector) await elector.stop();
      await running;
    },
  };
}
