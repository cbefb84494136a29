/**
 * When `npm run test:live` really calls Replicate, and what each case costs. Read by the suite and by the line the
 * run starts with (announce-live.ts). docs/live-checks.md has the same table.
 */
export type OfficialCase = 'run' | 'cancel';

const env = process.env;
const enabled = Boolean(env.REPLICATE_API_TOKEN) && env.CLIPGEN_LIVE === '1';

function officialCases(value: string | undefined): OfficialCase[] {
  const words = (value ?? '').split(',').map((word) => word.trim().toLowerCase());
  if (words.includes('1') || words.includes('all')) return ['run', 'cancel'];
  return (['run', 'cancel'] as const).filter((name) => words.includes(name));
}

export const LIVE = {
  enabled,
  token: env.REPLICATE_API_TOKEN ?? '',
  baseUrl: env.REPLICATE_BASE_URL || 'https://api.replicate.com/v1',
  /** Where the webhook-echo case's prediction would post (it is canceled before it would): any https URL. */
  webhookUrl: env.CLIPGEN_LIVE_WEBHOOK_URL || 'https://example.com/clipgen-live-check',
  /** Official-model cases, each opt-in: CLIPGEN_LIVE_OFFICIAL=run, =cancel, or =1 for both. */
  official: enabled ? officialCases(env.CLIPGEN_LIVE_OFFICIAL) : [],
  /** The first frame of the official-model cases: a small generated PNG as a data: URL unless set. */
  imageUrl: env.CLIPGEN_LIVE_IMAGE_URL || '',
  /** Where the findings are written as JSON, beside being printed. */
  reportPath: env.CLIPGEN_LIVE_REPORT || '.clipgen/live-findings.json',
};

/** Expected cost of each case, USD (prices unconfirmed; see docs/live-checks.md). */
export const EXPECTED_COST = {
  free: 'free (GET requests only)',
  webhookEcho: '≈ $0: CogVideoX canceled before it starts (a few A100 seconds, < $0.01, if it already started)',
  cancelRunning: '< $0.01: CogVideoX canceled as soon as it runs (1–5 A100 seconds at $0.0014/s)',
  officialRun:
    'one Hailuo-02 6 s 512p video, the cheapest official variant in the catalogue: ≈ $0.10 if 512p bills ≈ $0.017 ' +
    "per output second as commonly quoted (unconfirmed); at most $0.36 at the catalogue's deliberately high 512p " +
    'placeholder ($0.06/s); a refused text-only create is free',
  officialCancel:
    '$0 if a canceled official prediction is not billed (what it finds out), else one 6 s 512p video as above',
};

/** Why parts of the suite will not run, one line each (empty when everything runs). */
export function skipReasons(): string[] {
  if (!LIVE.enabled) {
    const missing = [
      env.REPLICATE_API_TOKEN ? null : 'REPLICATE_API_TOKEN is not set',
      env.CLIPGEN_LIVE === '1' ? null : 'CLIPGEN_LIVE is not 1',
    ].filter(Boolean);
    return [
      `Live contract checks skipped: ${missing.join(' and ')}. Set REPLICATE_API_TOKEN and CLIPGEN_LIVE=1 to run ` +
        'them against Replicate (< $0.02); CLIPGEN_LIVE_OFFICIAL=run, =cancel or =1 adds the official-model ' +
        'cases (≈ $0.10 each, unconfirmed). See docs/live-checks.md.',
    ];
  }
  const reasons: string[] = [];
  if (!LIVE.official.includes('run')) {
    reasons.push(`Official-model run skipped (${EXPECTED_COST.officialRun}): set CLIPGEN_LIVE_OFFICIAL=run or 1.`);
  }
  if (!LIVE.official.includes('cancel')) {
    reasons.push(
      `Official-model cancel skipped (${EXPECTED_COST.officialCancel}): set CLIPGEN_LIVE_OFFICIAL=cancel or 1.`,
    );
  }
  return reasons;
}
