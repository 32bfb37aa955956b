// The scheduling framework's public surface for plugins and the scheduler.
export * from './types.js';
export * from './node-info.js';
export * from './resources.js';
export * from './term-index.js';
