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
