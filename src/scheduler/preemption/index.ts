export * from './preemption.js';
