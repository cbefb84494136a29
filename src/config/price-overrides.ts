import type { PriceOverrides } from '../domain/catalogue';
import { parsePriceOverrides } from '../domain/pricing';

export const PRICE_OVERRIDES_VARIABLE = 'CLIPGEN_PRICE_OVERRIDES';

/** `svd=0.001525,kling-v2.1=0.07` → overrides; each mistake is added to `problems`, naming the variable. */
export function readPriceOverrides(text: string | null, problems: string[]): PriceOverrides {
  if (text === null) return {};
  const parsed = parsePriceOverrides(text);
  problems.push(...parsed.problems.map((problem) => `${PRICE_OVERRIDES_VARIABLE}: ${problem}`));
  return parsed.overrides;
}
