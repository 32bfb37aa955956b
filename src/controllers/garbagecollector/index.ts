// Garbage collector: deletes objects whose owners are gone, and carries out Foreground and Orphan
// propagation, from a metadata-only dependency graph of every resource.

export { garbageCollectorController, newGarbageCollectorController, monitoredResources, IGNORED_RESOURCES, type GarbageCollectorOptions } from './controller.js';
export { GarbageCollector, AbsentOwnerCache } from './collector.js';
export { DependencyGraph, GraphNode, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, diffOwners, type ObjectIdentity, type ObservedMeta, type GraphActions } from './graph.js';
export { classifyReferences, decideDependent, decideDeletingDependents, policyFor, type DependentDecision, type OwnerState } from './decide.js';
export { ApiGcClient, UnknownKindError, type GcApi } from './client.js';
export { MetadataMonitor } from './monitor.js';
export { discoverResources, RestMapper, supportsVerbs, type DiscoveredResource } from './discovery.js';
export { listMetadata, getMetadata, PARTIAL_ACCEPT, PARTIAL_LIST_ACCEPT } from './metadata.js';
