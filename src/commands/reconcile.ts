import { loadConfig } from '../config';
import { reconcile, type ReconcileReport } from '../costs/reconcile';
import { createPredictionLister } from '../replicate/list-predictions';
import { UsageError, parseCommandArgs, parseNumberFlag } from './args';
import { withCommandLedger } from './ledger';
import { textTable } from './output';

export const RECONCILE_USAGE = `Usage: clipgen reconcile --since DATE [--grace MINUTES] [--max-pages N] [--json]

Compares the cost ledger with Replicate's own list of the account's predictions created since DATE
(GET /v1/predictions, 100 a page) and reports:
  - predictions of clipgen's models that Replicate billed and the ledger lacks;
  - ledger rows booked since DATE whose prediction Replicate does not know;
  - bookings whose amount differs from Replicate's billing metric × the booked unit price;
  - bookings priced as another billing variant than the prediction reports (Kling's mode, Hailuo's
    resolution), or at another unit price than the catalogue's (or CLIPGEN_PRICE_OVERRIDES') for it;
  - predictions booked more than once.
Aborted predictions and those stopped before they ran are not billed, so not missing; predictions still
running, or completed within the grace period (their clip may not have booked them yet), are counted apart.

Options:
  --since DATE      ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-25T12:00:00Z (required)
  --grace MINUTES   default 15
  --max-pages N     most pages of predictions to read, default 50; a longer list is reported as incomplete
  --json            the report as one JSON document

Exit code 0 when ledger and Replicate agree, 1 when there are discrepancies or the list was incomplete.`;

const DEFAULT_GRACE_MINUTES = 15;
const DEFAULT_MAX_PAGES = 50;

export async function reconcileCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      since: { type: 'string' },
      grace: { type: 'string' },
      'max-pages': { type: 'string' },
      json: { type: 'boolean' },
    },
    RECONCILE_USAGE,
  );
  if (values.help) {
    console.log(RECONCILE_USAGE);
    return 0;
  }
  const since = parseSince(values.since);
  const graceMinutes = parseNumberFlag(values.grace, '--grace') ?? DEFAULT_GRACE_MINUTES;
  if (graceMinutes < 0) throw new UsageError('--grace must not be negative');
  const maxPages = parseNumberFlag(values['max-pages'], '--max-pages') ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new UsageError('--max-pages must be a positive integer');

  const config = loadConfig();
  const replicate = createPredictionLister({
    apiToken: config.replicate.apiToken ?? undefined,
    baseUrl: config.replicate.baseUrl,
    requestTimeoutMs: config.replicate.requestTimeoutMs,
  });
  const report = await withCommandLedger(config, (ledger) =>
    reconcile(ledger, replicate, {
      since,
      graceMs: graceMinutes * 60_000,
      maxPages,
      priceOverrides: config.priceOverrides,
    }),
  );
  console.log(values.json ? JSON.stringify(report) : reportText(report));
  return report.discrepancies > 0 || !report.complete ? 1 : 0;
}

function parseSince(value: string | undefined): Date {
  if (value === undefined) throw new UsageError(`--since is required\n\n${RECONCILE_USAGE}`);
  const since = /^\d{4}-\d\d-\d\d([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(value) ? new Date(value) : null;
  if (!since || Number.isNaN(since.getTime())) {
    throw new UsageError(`--since must be an ISO 8601 date or date-time (got "${value}")`);
  }
  return since;
}

function reportText(report: ReconcileReport): string {
  const { replicate } = report;
  const lines = [
    `Predictions created since ${report.since}: ${replicate.predictions} on Replicate ` +
      `(${replicate.otherModels} of other models), ${report.ledger.rows} ledger rows booked since then.`,
  ];
  if (!report.complete) {
    lines.push('INCOMPLETE: the page limit was reached before the start of the window; raise --max-pages.');
  }
  const section = <Row>(title: string, rows: Row[], table: (rows: Row[]) => string) => {
    if (rows.length > 0) lines.push('', `${title} (${rows.length}):`, indent(table(rows)));
  };
  section('Billed by Replicate, missing from the ledger', report.missingFromLedger, (rows) =>
    textTable(
      [
        { header: 'prediction', cell: (row) => row.predictionId },
        { header: 'model', cell: (row) => row.model },
        { header: 'status', cell: (row) => row.status },
        { header: 'created', cell: (row) => row.createdAt ?? '—' },
        { header: 'billed USD', cell: (row) => row.billedUsd ?? 'unknown', align: 'right' },
      ],
      rows,
    ),
  );
  section('In the ledger, unknown to Replicate', report.unknownToReplicate, bookingTable);
  section('Booked amount differs from the bill', report.amountMismatches, (rows) =>
    textTable(
      [
        { header: 'job', cell: (row) => row.jobId },
        { header: 'clip', cell: (row) => String(row.clipIndex), align: 'right' },
        { header: 'prediction', cell: (row) => row.predictionId },
        { header: 'booked USD', cell: (row) => row.amountUsd, align: 'right' },
        { header: 'billed USD', cell: (row) => row.billedUsd, align: 'right' },
        { header: 'why', cell: (row) => row.reason },
      ],
      rows,
    ),
  );
  section('Booked variant or unit price differs from the catalogue', report.priceMismatches, (rows) =>
    textTable(
      [
        { header: 'job', cell: (row) => row.jobId },
        { header: 'clip', cell: (row) => String(row.clipIndex), align: 'right' },
        { header: 'prediction', cell: (row) => row.predictionId },
        { header: 'model', cell: (row) => row.model },
        { header: 'booked', cell: (row) => priced(row.billingVariant, row.unitPriceUsd) },
        { header: 'expected', cell: (row) => priced(row.expectedVariant, row.expectedUnitPriceUsd) },
        { header: 'why', cell: (row) => row.reason },
      ],
      rows,
    ),
  );
  section('Booked more than once', report.duplicateBookings, bookingTable);
  lines.push(
    '',
    `Not discrepancies: ${replicate.notBilled} not billed (aborted or stopped before running), ` +
      `${replicate.inFlight} still running, ${replicate.recent} completed within the grace period.`,
    report.discrepancies === 0 ? 'Ledger and Replicate agree.' : `${report.discrepancies} discrepancies.`,
  );
  return lines.join('\n');
}

/** 'pro @ 0.090000', '0.001400' (a single price), or '—' when unknown. */
function priced(variant: string | null, unitPriceUsd: string | null): string {
  if (unitPriceUsd === null) return variant ?? '—';
  return variant === null ? unitPriceUsd : `${variant} @ ${unitPriceUsd}`;
}

function bookingTable(rows: ReconcileReport['unknownToReplicate']): string {
  return textTable(
    [
      { header: 'job', cell: (row) => row.jobId },
      { header: 'clip', cell: (row) => String(row.clipIndex), align: 'right' },
      { header: 'prediction', cell: (row) => row.predictionId },
      { header: 'model', cell: (row) => row.model },
      { header: 'USD', cell: (row) => row.amountUsd, align: 'right' },
      { header: 'booked at', cell: (row) => row.bookedAt },
    ],
    rows,
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
