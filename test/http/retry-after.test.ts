import { MAX_RETRY_DELAY_MS, parseHttpDate, parseRetryAfter } from '../../src/http/client';

const now = Date.parse('2025-01-01T00:00:00Z');

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds: digits only', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    for (const malformed of ['1.5', '-1', '+7', '7s', '1e3', '0x10', '7, 7', 'soon']) {
      expect([malformed, parseRetryAfter(malformed, now)]).toEqual([malformed, undefined]);
    }
  });

  it('reads the three HTTP-date forms, as UTC', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Wed Jan  1 00:00:12 2025', now)).toBe(12_000);
    expect(parseRetryAfter('Wed Jan 01 00:00:12 2025', now)).toBe(12_000);
  });

  it('takes an RFC 850 year more than 50 years ahead as the past century', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(Date.parse('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Friday, 06-Nov-71 08:49:37 GMT', now)).toBe(Date.parse('2071-11-06T08:49:37Z'));
  });

  it('counts a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('refuses what is not an HTTP-date, though Date.parse would read it', () => {
    for (const malformed of [
      '2025-01-01T00:00:12Z',
      'Wed, 01 Jan 2025 00:00:12',
      'Wed, 01 Jan 2025 00:00:12 UTC',
      'Wed, 01 Jan 2025 00:00:12 +0000',
      'wed, 01 jan 2025 00:00:12 GMT',
      'Wed, 1 Jan 2025 00:00:12 GMT',
      'Wed, 31 Feb 2025 00:00:12 GMT',
      'Wed, 01 Jan 2025 24:00:00 GMT',
      'January 1, 2025',
    ]) {
      expect([malformed, parseRetryAfter(malformed, now)]).toEqual([malformed, undefined]);
    }
  });

  it('says nothing when absent, and bounds what it obeys', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(parseRetryAfter('Thu, 02 Jan 2025 00:00:00 GMT', now)).toBe(MAX_RETRY_DELAY_MS);
  });
});
