/** How clipgen shows text it did not write: values in error messages, prompts in the Web UI. */

const MAX_SHOWN_STRING = 40;

/** How a rejected value appears in an error message: short, and never a whole prompt. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Text shortened for display (the Web UI's details) at a boundary between user-perceived characters: cutting at a
 * UTF-16 index can split a surrogate pair (an emoji becomes U+FFFD), a letter from its combining accent, or a ZWJ
 * sequence into its parts.
 */

const ELLIPSIS = '…';

/** `text` if it has at most `maxCharacters` characters (graphemes), else its first ones and an ellipsis, in that many. */
export function shortenText(text: string, maxCharacters: number): string {
  const characters = graphemes(text);
  if (characters.length <= maxCharacters) return text;
  const kept = characters.slice(0, Math.max(0, maxCharacters - 1)).join('');
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

function graphemes(text: string): string[] {
  // Code points where Intl.Segmenter is missing (a Node without ICU): still never half an emoji.
  if (typeof Intl.Segmenter !== 'function') return Array.from(text);
  return Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), ({ segment }) => segment);
}
