// events.k8s.io/v1.

import type { ResourceDef } from '../registry.js';
import { eventsV1Columns } from './columns/events.js';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * The newer Event API over the same storage as core/v1 events (`/registry/events/`), as upstream.
 * Field names differ (regarding ↔ involvedObject, note ↔ message, reportingController ↔
 * reportingComponent, deprecatedSource ↔ source, deprecatedCount/FirstTimestamp/LastTimestamp ↔
 * count/firstTimestamp/lastTimestamp, series.* …) and NO conversion is done yet: an object is read back
 * in whichever shape it was written. TODO: convert between the two shapes on read and write.
 */
export const eventsV1: ResourceDef = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  storagePrefix: '/registry/events/',
  columns: eventsV1Columns,
  // The names this API's clients select on; upstream maps them onto the core event fields.
  fieldSelectors: {
    'regarding.kind': (o) => str(o.regarding?.kind),
    'regarding.namespace': (o) => str(o.regarding?.namespace),
    'regarding.name': (o) => str(o.regarding?.name),
    'regarding.uid': (o) => str(o.regarding?.uid),
    'regarding.apiVersion': (o) => str(o.regarding?.apiVersion),
    'regarding.resourceVersion': (o) => str(o.regarding?.resourceVersion),
    'regarding.fieldPath': (o) => str(o.regarding?.fieldPath),
    reason: (o) => str(o.reason),
    reportingController: (o) => str(o.reportingController),
    type: (o) => str(o.type),
  },
};

export const eventsResources: ResourceDef[] = [eventsV1];
