/** What became of one webhook request, and the HTTP status it is answered with. */
export const DELIVERY_STATUS = {
  /** The workflow was signalled with the prediction. */
  signalled: 200,
  /** A webhook-id already handled (Replicate's retry, or a replay): nothing is signalled again. */
  duplicate: 200,
  /** The workflow has closed or never existed: nothing left to wake. */
  'no-workflow': 200,
  /** Missing or non-matching signature headers. */
  'bad-signature': 401,
  /** webhook-timestamp outside the accepted window. */
  stale: 401,
  /** Unreadable body, or a query without a valid workflow id and model. */
  malformed: 400,
  'too-large': 413,
  /** Temporal did not take the signal: a 5xx makes Replicate deliver again. */
  'signal-failed': 503,
  /** Anything unexpected while handling the request. */
  error: 500,
  'not-found': 404,
  'method-not-allowed': 405,
} as const;

export type DeliveryOutcome = keyof typeof DELIVERY_STATUS;

export type DeliveryCounts = Record<DeliveryOutcome, number>;

export function emptyCounts(): DeliveryCounts {
  return Object.fromEntries(Object.keys(DELIVERY_STATUS).map((outcome) => [outcome, 0])) as DeliveryCounts;
}
