export { SchedulingQueue, activeLess, type QueuedPodInfo, type QueueOptions } from './queue.js';
export * from './events.js';
export { KeyedHeap } from './heap.js';
