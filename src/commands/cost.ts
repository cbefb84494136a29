import { loadConfig } from '../config';
import { isUsd } from '../domain/money';
import {
  estimateErrorReport,
  ESTIMATE_TOLERANCE,
  jobStatement,
  totalsAgree,
  type ErrorDistribution,
  type JobStatement,
  type StatementLine,
} from '../costs/cost-report';
import { UsageError, parseCommandArgs, parseJobIdFlag, parseNumberFlag, shownValue } from './args';
import { withCommandLedger } from './ledger';
import { percent, textTable } from './output';

export const COST_USAGE = `Usage: clipgen cost --job-id UUID [--set-budget USD|none] [--json]
       clipgen cost --report [--last N] [--json]

--job-id   the job's budget, booked total and reservations, and every booked prediction: clip, model,
           prediction, its status, the actual cost beside the estimate, and where the amount came from
           (source "actual": the billing metric × the unit price; "estimate": no metric was reported)
--set-budget  first sets the job's budget in USD (creating the job), or removes it with "none"
--report   how far estimates were from the bill over the last N bookings (default 100): count, mean,
           median and p90 of |actual − estimate| / estimate, the share within ±20%, overall and per model.
           Only succeeded predictions booked from their metric count.
--json     one JSON document instead of text

Reads the ledger at DATABASE_URL, else the PGlite directory (which a running worker holds: stop it, or
use Postgres).`;

const DEFAULT_REPORT_SIZE = 100;

export async function costCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      'job-id': { type: 'string' },
      'set-budget': { type: 'string' },
      report: { type: 'boolean' },
      last: { type: 'string' },
      json: { type: 'boolean' },
    },
    COST_USAGE,
  );
  if (values.help) {
    console.log(COST_USAGE);
    return 0;
  }
  if ((values['job-id'] === undefined) === !values.report)
    throw new UsageError(`Give either --job-id or --report\n\n${COST_USAGE}`);
  const jobId = values['job-id'] === undefined ? undefined : parseJobIdFlag(values['job-id'], '--job-id');
  const budget = parseBudget(values['set-budget']);
  if (budget !== undefined && jobId === undefined) throw new UsageError('--set-budget needs --job-id');
  const last = parseNumberFlag(values.last, '--last') ?? DEFAULT_REPORT_SIZE;
  if (!Number.isInteger(last) || last < 1) throw new UsageError('--last must be a positive integer');

  const config = loadConfig();
  return withCommandLedger(config, async (ledger) => {
    if (jobId === undefined) {
      const report = estimateErrorReport(await ledger.listRecentClipCosts(last));
      console.log(values.json ? JSON.stringify(report) : reportText(report, last));
      return 0;
    }
    if (budget !== undefined) await ledger.ensureJob(jobId, budget);
    const job = await ledger.getJob(jobId);
    if (!job) {
      console.error(`No job ${jobId} in the ledger.`);
      return 1;
    }
    const statement = jobStatement(job, await ledger.listClipCosts(jobId), await ledger.listReservations(jobId));
    console.log(values.json ? JSON.stringify(statement) : statementText(statement));
    return 0;
  });
}

/** The most the ledger's numeric(12,6) amount columns hold. */
const MAX_LEDGER_USD = '999999.999999';

/** undefined: leave the budget alone; null: no limit. */
function parseBudget(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (isUsd(value)) return value;
  const got = `got ${shownValue(value)}`;
  const decimal = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!decimal) {
    throw new UsageError(`--set-budget must be an amount in USD such as 2.50, or none (${got})`);
  }
  if ((decimal[2] ?? '').length > 6) {
    throw new UsageError(`--set-budget must have at most 6 decimals, as the ledger keeps them (${got})`);
  }
  throw new UsageError(
    `--set-budget must be at most ${MAX_LEDGER_USD} USD, the most the ledger's numeric(12,6) columns hold (${got}); ` +
      'use none for no limit',
  );
}

function statementText(statement: JobStatement): string {
  const reservations = statement.reservations.length;
  const lines = [
    `Job ${statement.jobId}`,
    `  budget    ${statement.budgetUsd === null ? 'none' : `${statement.budgetUsd} USD`}`,
    `  booked    ${statement.bookedUsd} USD`,
    `  reserved  ${statement.reservedUsd} USD (${reservations} clip${reservations === 1 ? '' : 's'} in flight)`,
    '',
  ];
  if (statement.clips.length === 0) lines.push('No costs booked yet.');
  else {
    lines.push(
      textTable<StatementLine>(
        [
          { header: 'clip', cell: (line) => String(line.clipIndex), align: 'right' },
          { header: 'model', cell: (line) => line.model },
          { header: 'prediction', cell: (line) => line.predictionId },
          { header: 'status', cell: (line) => line.predictionStatus },
          { header: 'actual USD', cell: (line) => line.amountUsd, align: 'right' },
          { header: 'estimate USD', cell: (line) => line.estimateUsd, align: 'right' },
          { header: 'error', cell: (line) => percent(line.error, true), align: 'right' },
          { header: 'source', cell: (line) => line.source },
          {
            header: 'price',
            cell: (line) => `${line.unitPriceUsd}/${unitOf(line.billingMetric)} (${line.priceSource})`,
          },
        ],
        statement.clips,
      ),
      '',
      `Total  ${statement.clipsTotalUsd} USD actual, ${statement.estimateTotalUsd} USD estimated`,
    );
  }
  if (!totalsAgree(statement)) {
    lines.push(`Warning: the job's total (${statement.bookedUsd} USD) differs from the sum of its bookings.`);
  }
  return lines.join('\n');
}

function reportText(report: ReturnType<typeof estimateErrorReport>, last: number): string {
  const tolerance = `within ±${ESTIMATE_TOLERANCE * 100}%`;
  const rows: [string, ErrorDistribution][] = [['all', report.overall], ...Object.entries(report.byModel)];
  const { bookedFromEstimate, stoppedEarly, zeroEstimate } = report.excluded;
  return [
    `Estimate error over the last ${report.rows} of up to ${last} bookings (|actual − estimate| / estimate)`,
    '',
    textTable<[string, ErrorDistribution]>(
      [
        { header: 'model', cell: ([model]) => model },
        { header: 'clips', cell: ([, d]) => String(d.count), align: 'right' },
        { header: 'mean', cell: ([, d]) => percent(d.mean), align: 'right' },
        { header: 'median', cell: ([, d]) => percent(d.median), align: 'right' },
        { header: 'p90', cell: ([, d]) => percent(d.p90), align: 'right' },
        { header: tolerance, cell: ([, d]) => percent(d.withinTolerance), align: 'right' },
        { header: 'bias', cell: ([, d]) => percent(d.meanSigned, true), align: 'right' },
      ],
      rows,
    ),
    '',
    `Left out: ${bookedFromEstimate} booked from the estimate, ${stoppedEarly} canceled or failed, ` +
      `${zeroEstimate} with a zero estimate. Bias above 0 means estimates run low.`,
  ].join('\n');
}

function unitOf(billingMetric: string): string {
  return billingMetric === 'predict_time' ? 's' : 'output s';
}
