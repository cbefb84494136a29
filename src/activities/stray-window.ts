/** How far back and forward to look for predictions a create's attempts made. */

/** Replicate's clock and ours may disagree by a little; a prediction stamped slightly "early" is still ours. */
export const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

/**
 * How long after an attempt an abandoned earlier one may still become a prediction, in request timeouts. One that
 * timed out was sent a request timeout before the next attempt began: it is given about three in all.
 */
export const STRAY_WINDOW_REQUEST_TIMEOUTS = 2;
