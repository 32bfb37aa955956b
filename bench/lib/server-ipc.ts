// Messages between the bench and the API server child process.

export type ParentMessage = { type: 'stats' } | { type: 'close' };

export type ChildMessage =
  | { type: 'ready'; url: string; kubeconfigPath: string }
  | { type: 'stats'; rssBytes: number; heapUsedBytes: number; cpuMicros: number; loopDelay?: LoopDelay; runQueueWaitMicros?: number };

/** The server's event-loop delay (ms) since the previous stats message. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface ServerStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** user + system CPU time of the server process since it started. */
  cpuMicros: number;
  loopDelay?: LoopDelay;
  /**
   * Linux: time the server's main thread (the event loop) spent runnable but waiting for a CPU,
   * since it started (/proc/self/schedstat). Grows when the machine is oversubscribed.
   */
  runQueueWaitMicros?: number;
}
