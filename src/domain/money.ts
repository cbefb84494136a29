/**
 * Exact USD arithmetic on decimal strings. Amounts are held as BigInt micro-micro-dollars (12 decimals)
 * and written out with the ledger's 6 decimals (numeric(12,6)), rounding half away from zero.
 */
import { decimalFromNumber, formatFixed, multiplyDecimals, rescale, tryParseDecimal, type Decimal } from './decimal';
import { FailureType, clipFailure } from './failures';

/** Decimal places of the internal representation returned by parseUsd. */
export const USD_SCALE = 12;
/** Decimal places of the ledger's numeric(12,6) columns, and of every amount this module writes. */
export const LEDGER_DECIMALS = 6;

const LEDGER_AMOUNT_PATTERN = /^\d{1,6}(\.\d{1,6})?$/;

/**
 * Units of 10^-12 USD. Numbers are read through their shortest decimal form (`String(n)`), so 0.1 is
 * exactly one tenth; digits past the 12th decimal are rounded half up. Negative amounts are allowed here
 * (a difference can be negative); the functions for which a sign makes no sense reject it themselves.
 */
export function parseUsd(value: string | number): bigint {
  return rescale(parseDecimalAmount(value, 'USD amount'), USD_SCALE).coefficient;
}

/** Text with exactly `decimals` places (default 6), rounded half up: 6288000000n → '0.006288'. */
export function formatUsd(units: bigint, decimals: number = LEDGER_DECIMALS): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > USD_SCALE) {
    throw clipFailure(FailureType.InvalidInput, `decimals must be an integer from 0 to ${USD_SCALE} (got ${decimals})`);
  }
  const rounded = rescale({ coefficient: units, scale: USD_SCALE }, decimals);
  return formatFixed(rounded.coefficient, decimals);
}

export function addUsd(a: string, b: string): string {
  return formatUsd(parseUsd(a) + parseUsd(b));
}

export function subtractUsd(a: string, b: string): string {
  return formatUsd(parseUsd(a) - parseUsd(b));
}

/** price × quantity computed exactly, then rounded once to 6 decimals: ('0.0014', 4.484541) → '0.006278'. */
export function multiplyUsd(price: string, quantity: string | number): string {
  const exactPrice = parseNonNegative(price, 'price');
  const exactQuantity = parseNonNegative(quantity, 'quantity');
  const product = rescale(multiplyDecimals(exactPrice, exactQuantity), LEDGER_DECIMALS);
  return formatFixed(product.coefficient, LEDGER_DECIMALS);
}

export function compareUsd(a: string, b: string): -1 | 0 | 1 {
  const difference = parseUsd(a) - parseUsd(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/**
 * True for a non-negative plain decimal that a numeric(12,6) column stores without rounding:
 * at most 6 digits before the point and 6 after ('0.006288', '12', '999999.999999').
 */
export function isUsd(value: string): boolean {
  return typeof value === 'string' && LEDGER_AMOUNT_PATTERN.test(value);
}

function parseNonNegative(value: string | number, what: string): Decimal {
  const parsed = parseDecimalAmount(value, what);
  if (parsed.coefficient < 0n) {
    throw clipFailure(FailureType.InvalidInput, `${what} must not be negative (got ${String(value)})`);
  }
  return parsed;
}

function parseDecimalAmount(value: string | number, what: string): Decimal {
  if (typeof value === 'number') {
    const parsed = decimalFromNumber(value);
    if (!parsed) throw clipFailure(FailureType.InvalidInput, `${what} must be a finite number (got ${value})`);
    return parsed;
  }
  const parsed = typeof value === 'string' ? tryParseDecimal(value) : null;
  if (!parsed) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw clipFailure(FailureType.InvalidInput, `${what} must be a decimal number such as "0.0014" (got ${shown})`);
  }
  return parsed;
}
