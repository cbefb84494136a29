import { addUsd, compareUsd, formatUsd, isUsd, multiplyUsd, parseUsd, subtractUsd } from '../../src/domain/money';
import { divideRoundingHalfUp, formatFixed, tryParseDecimal } from '../../src/domain/decimal';
import { invalidInputMessage } from './expect-invalid-input';

describe('parseUsd and formatUsd', () => {
  test.each([
    ['0.0014', '0.001400'],
    ['12', '12.000000'],
    ['.25', '0.250000'],
    ['-0.5', '-0.500000'],
    ['1e-3', '0.001000'],
    ['4.2E+3', '4200.000000'],
    ['0.0000005', '0.000001'],
    ['0.00000049', '0.000000'],
    ['-0.0000005', '-0.000001'],
  ])('%s reads and prints as %s', (text, printed) => {
    expect(formatUsd(parseUsd(text))).toBe(printed);
  });

  test('numbers are read through their shortest decimal form', () => {
    expect(parseUsd(0.1)).toBe(100_000_000_000n);
    expect(parseUsd(1e-7)).toBe(100_000n);
    expect(formatUsd(parseUsd(1e21))).toBe('1000000000000000000000.000000');
  });

  test('formats with the requested number of decimals, rounding half up', () => {
    expect(formatUsd(parseUsd('0.0062783574'), 6)).toBe('0.006278');
    expect(formatUsd(parseUsd('1.005'), 2)).toBe('1.01');
    expect(formatUsd(parseUsd('2.5'), 0)).toBe('3');
    expect(formatUsd(parseUsd('0.000000000001'), 12)).toBe('0.000000000001');
  });

  test.each([NaN, Infinity, -Infinity])('rejects the number %s', (value) => {
    expect(invalidInputMessage(() => parseUsd(value))).toContain(`finite number (got ${value})`);
  });

  test.each(['', 'abc', '1,5', '$1', ' 1', '1.2.3', '0x10', 'Infinity', '-'])('rejects the text %j', (text) => {
    expect(invalidInputMessage(() => parseUsd(text))).toContain('must be a decimal number');
  });

  test('rejects an out-of-range decimals argument', () => {
    expect(invalidInputMessage(() => formatUsd(1n, 13))).toContain('decimals must be an integer from 0 to 12');
  });
});

describe('addUsd and subtractUsd', () => {
  test('0.1 + 0.2 is exactly 0.3', () => {
    expect(addUsd('0.1', '0.2')).toBe('0.300000');
  });

  test('ten thousand small amounts add up with no drift', () => {
    let total = '0';
    for (let i = 0; i < 10_000; i += 1) total = addUsd(total, '0.000123');
    expect(total).toBe('1.230000');
  });

  test('subtracting can go below zero and back exactly', () => {
    expect(subtractUsd('0.3', '0.1')).toBe('0.200000');
    expect(subtractUsd('0.1', '0.3')).toBe('-0.200000');
    expect(addUsd(subtractUsd('0.1', '0.3'), '0.2')).toBe('0.000000');
  });
});

describe('multiplyUsd', () => {
  test.each([
    ['0.0014', 4.484541, '0.006278'],
    ['0.001400', '4.484541', '0.006278'],
    ['0.0014', 180, '0.252000'],
    ['0.05', 5, '0.250000'],
    ['0.08', '10', '0.800000'],
    ['0.000225', 0.3333333, '0.000075'],
    ['0.0000025', 1, '0.000003'],
    ['0.0014', 0, '0.000000'],
  ])('%s × %s = %s', (price, quantity, product) => {
    expect(multiplyUsd(price, quantity)).toBe(product);
  });

  test('multiplies exactly before rounding once', () => {
    // 0.000001 × 0.5 is exactly half a micro-dollar: rounds up; one picodollar less rounds down.
    expect(multiplyUsd('0.000001', 0.5)).toBe('0.000001');
    expect(multiplyUsd('0.000001', 0.499999)).toBe('0.000000');
  });

  test('rejects a negative price or quantity and a non-finite quantity', () => {
    expect(invalidInputMessage(() => multiplyUsd('-0.0014', 1))).toBe('price must not be negative (got -0.0014)');
    expect(invalidInputMessage(() => multiplyUsd('0.0014', -3))).toBe('quantity must not be negative (got -3)');
    expect(invalidInputMessage(() => multiplyUsd('0.0014', NaN))).toBe('quantity must be a finite number (got NaN)');
  });
});

describe('compareUsd', () => {
  test.each([
    ['0.1', '0.100000', 0],
    ['0.3', '0.29999999', 1],
    ['0.000001', '0.0000011', -1],
    ['-1', '0', -1],
  ])('compare(%s, %s) = %d', (a, b, expected) => {
    expect(compareUsd(a, b)).toBe(expected);
  });
});

describe('isUsd', () => {
  test.each(['0', '0.006288', '12', '999999.999999', '1.5'])('%s fits numeric(12,6)', (value) => {
    expect(isUsd(value)).toBe(true);
  });

  test.each(['', '-1', '0.0000001', '1000000', '1e-3', '.5', '1.', 'abc', ' 1'])('%j does not', (value) => {
    expect(isUsd(value)).toBe(false);
  });
});

describe('reading amounts, at the edges', () => {
  test('a leading plus sign is read as positive', () => {
    expect(formatUsd(parseUsd('+0.5'))).toBe('0.500000');
  });

  test('texts up to 400 characters are read; a longer one is refused', () => {
    const longest = `0.${'0'.repeat(397)}1`;
    expect(longest).toHaveLength(400);
    expect(formatUsd(parseUsd(longest))).toBe('0.000000');
    expect(invalidInputMessage(() => parseUsd(`${longest}0`))).toContain('must be a decimal number');
  });

  test('exponents up to ±400 are read; beyond, the text is refused', () => {
    expect(formatUsd(parseUsd('1e-400'))).toBe('0.000000');
    expect(parseUsd('0e400')).toBe(0n);
    expect(invalidInputMessage(() => parseUsd('1e401'))).toContain('must be a decimal number');
    expect(invalidInputMessage(() => parseUsd('1e-401'))).toContain('must be a decimal number');
  });

  test('the refused text is quoted, cut to 40 characters; a value of another type is named by its type', () => {
    expect(invalidInputMessage(() => parseUsd('x'.repeat(50)))).toBe(
      `USD amount must be a decimal number such as "0.0014" (got "${'x'.repeat(40)}")`,
    );
    expect(invalidInputMessage(() => parseUsd(undefined as unknown as string))).toBe(
      'USD amount must be a decimal number such as "0.0014" (got undefined)',
    );
  });

  test('formatUsd takes 0 to 12 decimals, whole numbers only', () => {
    expect(formatUsd(parseUsd('1.5'), 12)).toBe('1.500000000000');
    expect(invalidInputMessage(() => formatUsd(1n, -1))).toBe('decimals must be an integer from 0 to 12 (got -1)');
    expect(invalidInputMessage(() => formatUsd(1n, 1.5))).toBe('decimals must be an integer from 0 to 12 (got 1.5)');
  });

  test('formatUsd rounds negative amounts half away from zero too', () => {
    expect(formatUsd(parseUsd('-2.5'), 0)).toBe('-3');
    expect(formatUsd(parseUsd('-2.4'), 0)).toBe('-2');
    expect(formatUsd(parseUsd('-0.000000000001'), 12)).toBe('-0.000000000001');
  });

  test('multiplyUsd refuses a malformed price or quantity, naming which', () => {
    expect(invalidInputMessage(() => multiplyUsd('abc', 1))).toBe(
      'price must be a decimal number such as "0.0014" (got "abc")',
    );
    expect(invalidInputMessage(() => multiplyUsd('0.1', 'ten'))).toBe(
      'quantity must be a decimal number such as "0.0014" (got "ten")',
    );
  });

  test('isUsd is false for anything but a string, and matches the whole text', () => {
    expect(isUsd(5 as unknown as string)).toBe(false);
    expect(isUsd('1.5x')).toBe(false);
    expect(isUsd('x1.5')).toBe(false);
    expect(isUsd('1.1234567')).toBe(false);
  });
});

describe('divideRoundingHalfUp', () => {
  test.each([
    [7n, 2n, 4n],
    [5n, 3n, 2n],
    [4n, 3n, 1n],
    [-7n, 2n, -4n],
    [7n, -2n, -4n],
    [-7n, -2n, 4n],
    [-4n, 3n, -1n],
    [6n, 3n, 2n],
  ])('%d / %d rounds half away from zero to %d', (numerator, divisor, quotient) => {
    expect(divideRoundingHalfUp(numerator, divisor)).toBe(quotient);
  });
});

describe('tryParseDecimal and formatFixed', () => {
  test('keep the scale the text was written with, and shift it by the exponent', () => {
    expect(tryParseDecimal('1.50')).toEqual({ coefficient: 150n, scale: 2 });
    expect(tryParseDecimal('15e-3')).toEqual({ coefficient: 15n, scale: 3 });
    expect(tryParseDecimal('1.5e1')).toEqual({ coefficient: 15n, scale: 0 });
    expect(tryParseDecimal('-2e2')).toEqual({ coefficient: -200n, scale: 0 });
    expect(tryParseDecimal('.')).toBeNull();
    expect(tryParseDecimal('e5')).toBeNull();
  });

  test('pad small amounts with zeros and put the sign first', () => {
    expect(formatFixed(5n, 3)).toBe('0.005');
    expect(formatFixed(-5n, 3)).toBe('-0.005');
    expect(formatFixed(-1234n, 0)).toBe('-1234');
    expect(formatFixed(1234n, 2)).toBe('12.34');
  });
});
