/** Prices in effect: the catalogue's (with the date each was checked), or an operator's override. */
import { CATALOGUE, effectiveUnitPrice, getModelSpec, type PriceOverrides } from './catalogue';
import { checkUnitPrice, estimateAtUsd, maxCostUsd, variantsOf } from './cost';
import { isModelId, MODEL_IDS, type ModelId } from './types';
import { isUsd } from './money';

/**
 * 'override', or 'catalogue:<date the price was checked>', of the variant's price (null: the model's single price,
 * or its dearest variant's); booked beside each cost.
 */
export function priceSourceOf(model: ModelId, priceOverrides: PriceOverrides, variant: string | null = null): string {
  return effectiveUnitPrice(getModelSpec(model), variant, priceOverrides).priceSource;
}

/**
 * The estimate planClip gives for this model, duration and billing variant, at the prices in effect. Without a
 * variant, a variant-priced model is estimated at its dearest variant.
 */
export function estimateClipCostUsd(
  model: ModelId,
  plannedDuration: number,
  priceOverrides: PriceOverrides,
  variant: string | null = null,
): string {
  const spec = getModelSpec(model);
  const price = effectiveUnitPrice(spec, variant, priceOverrides, 'plan.variant');
  return estimateAtUsd(price, spec.typicalPredictSeconds, plannedDuration);
}

/**
 * What a clip's budget reservation holds: the most its prediction can be billed, at the planned variant's price in
 * effect. Without a variant, a variant-priced model reserves at its dearest variant, so the budget stays a bound.
 */
export function reservationUsd(
  model: ModelId,
  plannedDuration: number,
  maxRunSeconds: number,
  priceOverrides: PriceOverrides,
  variant: string | null = null,
): string {
  const price = effectiveUnitPrice(getModelSpec(model), variant, priceOverrides, 'plan.variant');
  return maxCostUsd(price, maxRunSeconds, plannedDuration);
}

export interface ParsedPriceOverrides {
  overrides: PriceOverrides;
  /** One line per mistake, naming the entry; empty when the text is valid. */
  problems: string[];
}

/**
 * Reads `svd=0.001525,kling-v2.1=0.07,hailuo-02:768p=0.045`: a known model id (every variant of it, or its single
 * price) or `model:variant` (one billing variant, which wins over the model's), each once, with a USD unit price of at
 * most 6 decimals (what the ledger stores exactly). An empty text means no overrides.
 */
export function parsePriceOverrides(text: string): ParsedPriceOverrides {
  const overrides: PriceOverrides = {};
  const problems: string[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [key, price, ...rest] = entry.split('=').map((part) => part.trim());
    const [model, variant, ...more] = key.split(':').map((part) => part.trim());
    const known = isModelId(model) ? variantsOf(CATALOGUE[model].price) : [];
    if (price === undefined || rest.length > 0 || more.length > 0) {
      problems.push(`"${entry}" is not model=price or model:variant=price`);
    } else if (!isModelId(model)) {
      problems.push(`"${model}" is not a model of the catalogue (${MODEL_IDS.join(', ')})`);
    } else if (variant !== undefined && known.length === 0) {
      problems.push(`"${key}": ${model} has a single price and no billing variants; use ${model}=price`);
    } else if (variant !== undefined && !known.includes(variant)) {
      problems.push(`"${key}": "${variant}" is not a billing variant of ${model} (${known.join(', ')})`);
    } else {
      const overrideKey = variant === undefined ? model : (`${model}:${variant}` as const);
      if (overrides[overrideKey] !== undefined) {
        problems.push(`${overrideKey} is given more than once`);
      } else if (!isUsd(price)) {
        problems.push(`${overrideKey}=${price}: the price must be USD with at most 6 decimals, such as 0.001525`);
      } else {
        overrides[overrideKey] = checkUnitPrice(price, `price of ${overrideKey}`);
      }
    }
  }
  return { overrides, problems };
}
