export { ProcessRuntime, type ProcessRuntimeOptions } from './runtime.js';
export { ImageStore, normalizeRef, type StoredImage, type ImageConfig } from './images.js';
export { StreamingServer, STREAM_PROTOCOLS, exitStatus } from './streaming.js';
export { ProcessRuntimeError, NotFoundError, NotImplementedError } from './util.js';
