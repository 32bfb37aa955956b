// What the REST handlers need from the rest of the apiserver, gathered in one place so the
// handlers stay free of wiring.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, Registry, ResourceDef } from '../../api/registry.js';
import type { ResourceRequest } from '../http/requestinfo.js';
import type { Store } from '../../storage/store.js';
import type { ObjectStore } from './objectstore.js';
import type { WatchCache } from '../watch/index.js';

export interface PatchRequest {
  def: ResourceDef;
  contentType: string;
  live: KubeObject | null;
  body: Buffer;
  manager: string;
  force: boolean;
  subresource?: string;
}

export interface ApiContext {
  registry: Registry;
  store: Store;
  objects(def: ResourceDef): ObjectStore;
  /** The watch cache of a resource (lists at resourceVersion=0 and watches are served from it). */
  watchSource(def: ResourceDef): Promise<WatchCache>;
  decodeProtobuf?(body: Buffer, expected?: { apiVersion?: string; kind?: string }): Record<string, unknown>;
  /** Unknown-field handling for fieldValidation (Strict/Warn/Ignore); prune always runs. */
  unknownFields?(def: ResourceDef, obj: KubeObject): string[];
  pruneUnknownFields?(def: ResourceDef, obj: KubeObject): void;
  /** Computes the patched object (all patch types, incl. server-side apply). */
  applyPatch(req: PatchRequest): KubeObject;
  /** pods/log|exec|attach|portforward, proxied to the kubelet (apiserver/streaming); true when served. */
  podStreaming?(rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}
