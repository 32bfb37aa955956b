export * from './metrics.js';
export { metricsHandler } from './handler.js';
