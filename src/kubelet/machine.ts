// Facts about this machine for the Node object: capacity, addresses, OS image, ids, and the
// pressure signals behind the node conditions.

import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  ephemeralBytes: number;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME from an os-release file's text. */
export function osImageFrom(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return m[1]!.replace(/^["']|["']$/g, '');
}

export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

export function diskStats(dir: string): { total: number; available: number } {
  try {
    const s = statfsSync(dir);
    return { total: Number(s.blocks) * Number(s.bsize), available: Number(s.bavail) * Number(s.bsize) };
  } catch {
    return { total: 0, available: 0 };
  }
}

export function machineInfo(dataDir: string): MachineInfo {
  const uuid = read('/sys/class/dmi/id/product_uuid') || read('/etc/machine-id');
  return {
    cpus: os.cpus().length || 1,
    memoryBytes: os.totalmem(),
    ephemeralBytes: diskStats(dataDir).total,
    kernelVersion: os.release(),
    osImage: osImageFrom(read('/etc/os-release')),
    operatingSystem: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: goArch(),
    machineID: read('/etc/machine-id'),
    systemUUID: uuid,
    bootID: read('/proc/sys/kernel/random/boot_id'),
  };
}

/** The first non-internal IPv4 address (or 127.0.0.1). */
export function defaultNodeIP(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export interface PressureSignals {
  memoryAvailableBytes: number;
  diskAvailableBytes: number;
  diskTotalBytes: number;
  pids: number;
  pidMax: number;
}

function memAvailable(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(read('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : os.freemem();
}

export function pressureSignals(dataDir: string): PressureSignals {
  const disk = diskStats(dataDir);
  let pids = 0;
  if (existsSync('/proc')) {
    try {
      pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
    } catch {
      pids = 0;
    }
  }
  return { memoryAvailableBytes: memAvailable(), diskAvailableBytes: disk.available, diskTotalBytes: disk.total, pids, pidMax: Number(read('/proc/sys/kernel/pid_max')) || 4_194_304 };
}
