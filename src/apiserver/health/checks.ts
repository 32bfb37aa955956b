// Named health checks behind /livez, /readyz and /healthz. A check passes when it returns
// (anything but `false`) and fails when it throws, returns false, or takes longer than its timeout.

export type HealthCheckFn = () => unknown | Promise<unknown>;

/** Which endpoints a check belongs to: liveness checks also count for readiness and /healthz. */
export type HealthCheckScope = 'live' | 'ready';

export interface HealthCheck {
  name: string;
  scope: HealthCheckScope;
  fn: HealthCheckFn;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  excluded?: boolean;
  error?: string;
}

export type Endpoint = 'livez' | 'readyz' | 'healthz';

export class HealthChecks {
  private readonly checks: HealthCheck[] = [];
  private shuttingDown = false;

  constructor(readonly timeoutMs = 5000) {
    this.add('ping', () => true);
    this.add('shutdown', () => {
      if (this.shuttingDown) throw new Error('process is shutting down');
    }, 'ready');
  }

  /**
   * Add a check. `live` (default) checks count for /livez, /readyz and /healthz; `ready` checks
   * only for /readyz (e.g. "watch caches started": not ready yet, but not a reason to restart).
   */
  add(name: string, fn: HealthCheckFn, scope: HealthCheckScope = 'live'): this {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.:/-]*$/.test(name)) throw new Error(`invalid health check name ${JSON.stringify(name)}`);
    if (this.checks.some((c) => c.name === name)) throw new Error(`health check ${name} added twice`);
    this.checks.push({ name, scope, fn });
    return this;
  }

  /** Mark the server as shutting down: /readyz fails from now on, so load balancers stop sending. */
  setShuttingDown(v = true): void {
    this.shuttingDown = v;
  }

  /** The checks an endpoint runs, in the order they were added. */
  for(endpoint: Endpoint): HealthCheck[] {
    return this.checks.filter((c) => endpoint === 'readyz' || c.scope === 'live');
  }

  async run(check: HealthCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs}ms`)), this.timeoutMs);
      });
      const r = await Promise.race([Promise.resolve().then(check.fn), timeout]);
      if (r === false) return { name: check.name, ok: false, error: 'check returned false' };
      return { name: check.name, ok: true };
    } catch (e) {
      return { name: check.name, ok: false, error: e instanceof Error ? e.message : String(e) };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Run an endpoint's checks concurrently; `exclude` names are reported as excluded. */
  async runAll(endpoint: Endpoint, exclude: ReadonlySet<string> = new Set()): Promise<CheckResult[]> {
    return Promise.all(
      this.for(endpoint).map((c) => (exclude.has(c.name) ? Promise.resolve({ name: c.name, ok: true, excluded: true }) : this.run(c))),
    );
  }
}
