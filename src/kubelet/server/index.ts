// The kubelet's HTTPS server: container logs, exec, attach and port-forward.
export { startKubeletServer, type KubeletServerOptions, type ResolvedContainer, type RunningKubeletServer } from './server.js';
export { parseCriLine, streamCriLog, parseLogQuery, type CriLogRecord, type LogOptions } from './crilog.js';
