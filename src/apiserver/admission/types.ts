// Admission: plugins that may change (mutating) or refuse an object after defaulting and before
// validation, as upstream's admission chain.

import type { KubeObject, ResourceDef } from '../../api/registry.js';

export interface AdmissionRequest {
  def: ResourceDef;
  operation: 'CREATE' | 'UPDATE';
  object: KubeObject;
  old: KubeObject | null;
  subresource?: string;
  dryRun?: boolean;
}

/** Reads other objects the plugins need (e.g. PriorityClasses), from the watch cache. */
export interface AdmissionLookups {
  getPriorityClass(name: string): Promise<KubeObject | null>;
  listPriorityClasses(): Promise<KubeObject[]>;
  listServices(): Promise<KubeObject[]>;
}

export interface AdmissionPlugin {
  name: string;
  /** Applies to this request? Cheap check run before admit. */
  handles(req: AdmissionRequest): boolean;
  /** Mutates req.object in place or throws a StatusError to refuse the request. */
  admit(req: AdmissionRequest, lookups: AdmissionLookups): void | Promise<void>;
}
