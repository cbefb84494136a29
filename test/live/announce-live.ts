import { LIVE, skipReasons } from './live-settings';

/** Jest global setup of `npm run test:live`: says, before anything runs, what is skipped and why, or what it spends. */
export default async function announceLive(): Promise<void> {
  const lines = skipReasons();
  if (LIVE.enabled) {
    const official = LIVE.official.length > 0 ? ` and the official-model case(s) ${LIVE.official.join(', ')}` : '';
    lines.unshift(`Live contract checks against ${LIVE.baseUrl}: the free checks, two CogVideoX creates${official}.`);
  }
  process.stderr.write(`\n${lines.join('\n')}\n`);
}
