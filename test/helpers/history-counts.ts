import type { WorkflowHandle } from '@temporalio/client';

/** What one workflow execution's history holds, and what Temporal Cloud would bill for it. */
export interface HistoryCounts {
  events: number;
  /** Activities scheduled, by activity type. */
  activities: Record<string, number>;
  /** Attempts over all activities (retries add attempts, not events). */
  activityAttempts: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
  /**
   * Billable actions visible in history (temporal.md §5): the start, every activity attempt, every timer (a
   * `condition` with a timeout starts one), every signal received and every search-attribute upsert. Heartbeats
   * that reach the server also bill but leave no event; they are not counted.
   */
  actions: number;
}

export async function countHistory(handle: Pick<WorkflowHandle, 'fetchHistory'>): Promise<HistoryCounts> {
  const events = (await handle.fetchHistory()).events ?? [];
  const counts: HistoryCounts = {
    events: events.length,
    activities: {},
    activityAttempts: 0,
    timers: 0,
    signals: 0,
    searchAttributeUpserts: 0,
    actions: 0,
  };
  let starts = 0;
  // Each event carries exactly one *EventAttributes field naming its type.
  for (const event of events) {
    if (event.workflowExecutionStartedEventAttributes) starts += 1;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? 'unknown';
      counts.activities[type] = (counts.activities[type] ?? 0) + 1;
    }
    // Written once, when the activity ends, carrying the number of its last attempt.
    if (event.activityTaskStartedEventAttributes)
      counts.activityAttempts += event.activityTaskStartedEventAttributes.attempt ?? 1;
    if (event.timerStartedEventAttributes) counts.timers += 1;
    if (event.workflowExecutionSignaledEventAttributes) counts.signals += 1;
    if (event.upsertWorkflowSearchAttributesEventAttributes) counts.searchAttributeUpserts += 1;
  }
  counts.actions = starts + counts.activityAttempts + counts.timers + counts.signals + counts.searchAttributeUpserts;
  return counts;
}
