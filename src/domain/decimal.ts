/**
 * Exact decimal numbers as BigInt coefficients: value = coefficient × 10^-scale. Shared by money and
 * duration planning so that neither ever does arithmetic on binary floats.
 */
export interface Decimal {
  coefficient: bigint;
  /** Number of decimal places, ≥ 0. */
  scale: number;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// Bounds keep 10n ** exponent cheap; a double's exponent never exceeds ±324.
const MAX_TEXT_LENGTH = 400;
const MAX_EXPONENT = 400;

/** Parses '12', '-0.5', '.25', '1e-7', '4.2E+3'; null for anything else (no whitespace, no hex, no '∞'). */
export function tryParseDecimal(text: string): Decimal | null {
  if (text.length > MAX_TEXT_LENGTH) return null;
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return null;
  const [, sign, integerDigits = '', fractionDigits = '', exponentText] = match;
  if (integerDigits === '' && fractionDigits === '') return null;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  const magnitude = BigInt(integerDigits + fractionDigits);
  const coefficient = sign === '-' ? -magnitude : magnitude;
  const scale = fractionDigits.length - exponent;
  return scale >= 0 ? { coefficient, scale } : { coefficient: coefficient * 10n ** BigInt(-scale), scale: 0 };
}

/**
 * The exact decimal a finite JS number stands for, read from its shortest round-trip representation
 * (`String(n)`), i.e. what the caller wrote: 0.1 is one tenth, not 0.1000000000000000055….
 */
export function decimalFromNumber(value: number): Decimal | null {
  return Number.isFinite(value) ? tryParseDecimal(String(value)) : null;
}

/** Divides by 10^(from − to) rounding half away from zero (what Postgres numeric does); exact upwards. */
export function rescale(value: Decimal, scale: number): Decimal {
  if (scale >= value.scale) {
    return { coefficient: value.coefficient * 10n ** BigInt(scale - value.scale), scale };
  }
  return { coefficient: divideRoundingHalfUp(value.coefficient, 10n ** BigInt(value.scale - scale)), scale };
}

export function divideRoundingHalfUp(numerator: bigint, divisor: bigint): bigint {
  const negative = numerator < 0n !== divisor < 0n;
  const absNumerator = numerator < 0n ? -numerator : numerator;
  const absDivisor = divisor < 0n ? -divisor : divisor;
  const quotient = absNumerator / absDivisor;
  const rounded = 2n * (absNumerator % absDivisor) >= absDivisor ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

export function multiplyDecimals(a: Decimal, b: Decimal): Decimal {
  return { coefficient: a.coefficient * b.coefficient, scale: a.scale + b.scale };
}

/** Fixed-point text with exactly `decimals` places, e.g. (6288n, 6) → '0.006288'. */
export function formatFixed(coefficient: bigint, decimals: number): string {
  const sign = coefficient < 0n ? '-' : '';
  const digits = (coefficient < 0n ? -coefficient : coefficient).toString().padStart(decimals + 1, '0');
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
