import type { WorkflowHandle } from '@temporalio/client';

/** The highest attempt at which `activityType` started in the workflow's history (0 when it never did). */
export async function highestAttempt(handle: WorkflowHandle, activityType: string): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  let highest = 0;
  for (const event of events) {
    const eventId = String(event.eventId);
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) scheduled.set(eventId, type);
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) === activityType) {
      highest = Math.max(highest, started.attempt ?? 0);
    }
  }
  return highest;
}

/** Workflow tasks that timed out: what a worker dying between tasks leaves in history. */
export async function workflowTaskTimeouts(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((event) => event.workflowTaskTimedOutEventAttributes).length;
}
