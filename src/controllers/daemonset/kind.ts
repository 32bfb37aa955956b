import type { OwnerKind } from '../common/index.js';

export const DAEMON_SET_KIND: OwnerKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
