// Table columns for events.k8s.io/v1 Events: the same columns as core events, read from this API's
// field names (regarding, note, deprecated* …).

import type { Event } from 'kubernetes-types/events/v1.js';
import type { TableColumn } from '../../registry.js';
import { ageSince } from '../../duration.js';
import { eventSource } from './core.js';
import { column, kindSlashName, wideColumn } from './format.js';

function times(e: Event, now: number): { first: string; last: string; count: number } {
  const first = e.deprecatedFirstTimestamp ? ageSince(e.deprecatedFirstTimestamp, now) : ageSince(e.eventTime, now);
  let last = e.deprecatedLastTimestamp ? ageSince(e.deprecatedLastTimestamp, now) : first;
  let count = e.deprecatedCount ?? 0;
  if (e.series) {
    last = ageSince(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

export const eventsV1Columns: TableColumn[] = [
  column('Last Seen', 'string', 'Time since the event was last observed.', (e: Event, now) => times(e, now).last),
  column('Type', 'string', 'Normal or Warning.', (e: Event) => e.type ?? ''),
  column('Reason', 'string', 'Short machine-readable reason.', (e: Event) => e.reason ?? ''),
  column('Object', 'string', 'The object the event is about (kind/name).', (e: Event) => kindSlashName(e.regarding?.kind ?? '', e.regarding?.name)),
  wideColumn('Subobject', 'string', 'The part of the object, e.g. a container.', (e: Event) => e.regarding?.fieldPath ?? ''),
  wideColumn('Source', 'string', 'The component (and host) that reported the event.', (e: Event) =>
    eventSource(e.deprecatedSource?.component || e.reportingController, e.deprecatedSource?.host || e.reportingInstance),
  ),
  column('Message', 'string', 'Human-readable description.', (e: Event) => (e.note ?? '').trim()),
  wideColumn('First Seen', 'string', 'Time since the event was first observed.', (e: Event, now) => times(e, now).first),
  wideColumn('Count', 'string', 'How many times the event was observed.', (e: Event, now) => times(e, now).count),
];
