const fs = require('node:fs');
const TestSequencer = require('@jest/test-sequencer').default;

/**
 * Files that wait on real time: a dev server (no time skipping), spawned `clipgen` processes, a browser. They are
 * the longest in wall time but leave the CPU mostly idle, so they should start first.
 */
const WAITS_ON_REAL_TIME =
  /createDevServerEnv|ClipHarness\.start\('dev'|useClipHarness\('dev'|DevServerProcess|\brunCli\(|new CliProcess|chromium/;
/** A file whose docblock says `@slow` is long for other reasons (PGlite's initdb) and should start first too. */
const SLOW_PRAGMA = /^\s*\*\s*@slow\s*$/m;

function startsEarly(source) {
  return WAITS_ON_REAL_TIME.test(source) || SLOW_PRAGMA.test(source);
}

/**
 * Jest's own order (failed files first, then the slowest by the last run's times), except that files it has no time
 * for start with those that wait on real time or say they are slow. Jest would order them by file size, and on a
 * fresh clone, where no file has a time, a long file could start last and hold the run open after the others have
 * finished (`npm test`'s wall time on a clean clone varied from 257 s to 307 s with the same code; on another
 * machine, the PGlite template tests started 269 s into a 363 s run and ran to its end).
 */
class LongFilesFirstSequencer extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) => (test.duration == null && startsEarly(fs.readFileSync(test.path, 'utf8')) ? 0 : 1);
    return sorted
      .map((test, index) => ({ test, index, rank: rank(test) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ test }) => test);
  }
}

module.exports = LongFilesFirstSequencer;
