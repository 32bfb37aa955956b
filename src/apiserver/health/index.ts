export * from './checks.js';
export { healthHandler } from './handler.js';
export * from './version.js';
