/** The patch ids a history's `patched()` markers record (marker `core_patch`, its `patch-data` payload). */
import type { temporal } from '@temporalio/proto';

export function patchIds(events: readonly temporal.api.history.v1.IHistoryEvent[]): string[] {
  const ids: string[] = [];
  for (const e of events) {
    const m = e.markerRecordedEventAttributes;
    const data = m?.markerName === 'core_patch' ? m.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    if (!data) continue;
    const { id } = JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown };
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}
