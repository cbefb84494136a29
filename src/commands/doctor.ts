import { ConfigError, loadConfig } from '../config';
import { runDoctor, type DoctorCheck, type DoctorReport } from '../replicate/model-schemas';
import { parseCommandArgs } from './args';

export const DOCTOR_USAGE = `Usage: clipgen doctor [--json]

Checks clipgen's contract with Replicate, for free (GET requests only; no prediction is created):
  - token           REPLICATE_API_TOKEN is accepted (GET /v1/account);
  - schema <model>  each catalogue model's input schema (GET /v1/models/{owner}/{name}: the latest version, or a
                    community model's pinned one) still takes every input, enum value and range clipgen may send;
                    each difference is named: a missing or renamed input, an enum value no longer allowed, a
                    narrowed range, a changed type, a new required input;
  - webhook secret  GET /v1/webhooks/default/secret answers a whsec_ key (equal to REPLICATE_WEBHOOK_SECRET when
                    that is set).
Reads REPLICATE_API_TOKEN and REPLICATE_BASE_URL (or REPLICATE_SIMULATOR_URL) like the other commands.

Options:
  --json   the report as one JSON document

Exit code 0 when every check passes, 1 when one fails (drift included), 3 when REPLICATE_API_TOKEN is missing.`;

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, DOCTOR_USAGE);
  if (values.help) {
    console.log(DOCTOR_USAGE);
    return 0;
  }
  const config = loadConfig();
  if (!config.replicate.apiToken) {
    throw new ConfigError([
      'REPLICATE_API_TOKEN is not set: clipgen doctor checks Replicate with it (or set REPLICATE_SIMULATOR_URL ' +
        'to check the simulator)',
    ]);
  }
  const report = await runDoctor({
    apiToken: config.replicate.apiToken,
    baseUrl: config.replicate.baseUrl,
    requestTimeoutMs: config.replicate.requestTimeoutMs,
    webhookSecret: config.webhooks.secret,
  });
  console.log(values.json ? JSON.stringify(report) : doctorText(report, config.replicate.usingSimulator));
  return report.ok ? 0 : 1;
}

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok  ', fail: 'FAIL', skipped: 'skip' };

export function doctorText(report: DoctorReport, usingSimulator = false): string {
  const lines = [`Replicate at ${report.replicate.baseUrl}${usingSimulator ? ' (the simulator)' : ''}`];
  const line = (name: string, check: DoctorCheck) => lines.push(`${MARK[check.status]} ${name}: ${check.detail}`);
  line('token', report.token);
  for (const model of report.models) {
    line(`schema ${model.model}`, model);
    for (const drift of model.drift) lines.push(`       - ${drift.message}`);
    for (const note of model.notes) lines.push(`       note: ${note}`);
  }
  line('webhook secret', report.webhookSecret);
  lines.push(
    report.ok
      ? 'All checks passed.'
      : `${report.problems} ${report.problems === 1 ? 'check' : 'checks'} failed (docs/live-checks.md).`,
  );
  return lines.join('\n');
}
