export { discoveryHandler } from './handler.js';
export * from './documents.js';
export * from './negotiate.js';
export * from './subresources.js';
