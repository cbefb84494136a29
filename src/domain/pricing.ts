/** Prices in effect: the catalogue's (with the date each was checked), or an operator's override. */
import { CATALOGUE, effectivePrice, getModelSpec, type PriceOverrides } from './catalogue';
import { checkUnitPrice, estimateCostUsd, maxCostUsd } from './cost';
import { isModelId, MODEL_IDS } from './model-ids';
import { isUsd } from './money';
import type { ModelId } from './types';

/** 'override', or 'catalogue:<date the price was checked>'; booked beside each cost. */
export function priceSourceOf(model: ModelId, priceOverrides: PriceOverrides): string {
  return priceOverrides[model] !== undefined ? 'override' : `catalogue:${CATALOGUE[model].price.checkedOn}`;
}

/** The estimate planClip gives for this model and duration, at the prices in effect. */
export function estimateClipCostUsd(model: ModelId, plannedDuration: number, priceOverrides: PriceOverrides): string {
  const spec = getModelSpec(model);
  return estimateCostUsd(effectivePrice(spec, priceOverrides), spec.typicalPredictSeconds, plannedDuration);
}

/** What a clip's budget reservation holds: the most its prediction can be billed, at the prices in effect. */
export function reservationUsd(
  model: ModelId,
  plannedDuration: number,
  maxRunSeconds: number,
  priceOverrides: PriceOverrides,
): string {
  return maxCostUsd(effectivePrice(getModelSpec(model), priceOverrides), maxRunSeconds, plannedDuration);
}

export interface ParsedPriceOverrides {
  overrides: PriceOverrides;
  /** One line per mistake, naming the entry; empty when the text is valid. */
  problems: string[];
}

/**
 * Reads `svd=0.001525,kling-v2.1=0.07`: known model ids, each once, with a USD unit price of at most 6
 * decimals (what the ledger stores exactly). An empty text means no overrides.
 */
export function parsePriceOverrides(text: string): ParsedPriceOverrides {
  const overrides: PriceOverrides = {};
  const problems: string[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [model, price, ...rest] = entry.split('=').map((part) => part.trim());
    if (price === undefined || rest.length > 0) {
      problems.push(`"${entry}" is not model=price`);
    } else if (!isModelId(model)) {
      problems.push(`"${model}" is not a model of the catalogue (${MODEL_IDS.join(', ')})`);
    } else if (overrides[model] !== undefined) {
      problems.push(`${model} is given more than once`);
    } else if (!isUsd(price)) {
      problems.push(`${model}=${price}: the price must be USD with at most 6 decimals, such as 0.001525`);
    } else {
      overrides[model] = checkUnitPrice(price, `price of ${model}`);
    }
  }
  return { overrides, problems };
}
