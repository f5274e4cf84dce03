#!/usr/bin/env node
// `npx slipway …` in a checkout: runs the bundled CLI (built by npm ci's prepare step).
const path = require('node:path')
const fs = require('node:fs')
const cli = path.join(__dirname, '..', 'out', 'node', 'cli.cjs')
if (!fs.existsSync(cli)) {
  console.error('slipway: the CLI is not built yet. Run `npm run build` (npm ci does it for you).')
  process.exit(1)
}
require(cli)
