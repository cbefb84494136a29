#!/usr/bin/env node
// The compiled CLI, lib/src/cli.js (npm ci runs `prepare`, which builds lib/: lib/src and lib/simulator).
// During development use `npm run clipgen -- <command>`.
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'lib', 'src', 'cli.js');
if (!fs.existsSync(compiled)) {
  console.error('clipgen is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
require(compiled)
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
