// cgroup v1 directories for containers: /sys/fs/cgroup/<controller>/<root>/<pod>/<container>.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from './util.js';

export const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export interface CgroupLimits {
  memoryLimitInBytes?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  pidsMax?: number;
}

const MOUNT = '/sys/fs/cgroup';

/** True when the cgroup v1 hierarchies this runtime writes to are mounted. */
export function cgroupV1Available(): boolean {
  return CONTROLLERS.every((c) => existsSync(join(MOUNT, c, 'cgroup.procs')));
}

/** One container's (or pod's) cgroup: the same relative path under each controller. */
export class Cgroup {
  constructor(readonly relPath: string) {}

  dir(c: Controller): string {
    return join(MOUNT, c, this.relPath);
  }

  async create(limits: CgroupLimits = {}): Promise<void> {
    for (const c of CONTROLLERS) await mkdir(this.dir(c), { recursive: true });
    const mem = this.dir('memory');
    if (limits.memoryLimitInBytes && limits.memoryLimitInBytes > 0) {
      await writeFile(join(mem, 'memory.limit_in_bytes'), String(limits.memoryLimitInBytes));
      // No swap either: the limit is on memory+swap too (memsw exists only with swap accounting).
      await writeFile(join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memoryLimitInBytes)).catch(() => {});
    }
    const cpu = this.dir('cpu');
    if (limits.cpuShares && limits.cpuShares >= 2) await writeFile(join(cpu, 'cpu.shares'), String(limits.cpuShares));
    if (limits.cpuQuota && limits.cpuQuota > 0) {
      await writeFile(join(cpu, 'cpu.cfs_period_us'), String(limits.cpuPeriod && limits.cpuPeriod > 0 ? limits.cpuPeriod : 100000));
      await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(limits.cpuQuota));
    }
    if (limits.pidsMax && limits.pidsMax > 0) await writeFile(join(this.dir('pids'), 'pids.max'), String(limits.pidsMax));
  }

  /** Files a process joins the cgroup through (write its pid to each). */
  procsFiles(): string[] {
    return CONTROLLERS.map((c) => join(this.dir(c), 'cgroup.procs'));
  }

  async pids(): Promise<number[]> {
    try {
      const text = await readFile(join(this.dir('pids'), 'cgroup.procs'), 'utf8');
      return text.split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** The OOM killer fired in this cgroup (cgroup v1 `oom_kill` counter, falling back to under_oom). */
  async oomKilled(): Promise<boolean> {
    try {
      const text = await readFile(join(this.dir('memory'), 'memory.oom_control'), 'utf8');
      const kills = /oom_kill (\d+)/.exec(text);
      if (kills) return Number(kills[1]) > 0;
      return /under_oom 1/.test(text);
    } catch {
      return false;
    }
  }

  /** SIGKILLs every process in the cgroup until it is empty (or the attempts run out). */
  async killAll(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await sleep(10);
    }
  }

  /** Kills what is left and removes the directories (children first: pass nested cgroups before parents). */
  async remove(): Promise<void> {
    await this.killAll();
    for (const c of CONTROLLERS) {
      const d = this.dir(c);
      for (let i = 0; i < 20; i++) {
        try {
          await rmdir(d);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || i === 19) throw err;
          await sleep(10); // the kernel takes a moment to reap the last task
        }
      }
    }
  }

  exists(): boolean {
    return existsSync(this.dir('memory'));
  }
}
