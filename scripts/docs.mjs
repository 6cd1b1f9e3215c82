#!/usr/bin/env node
// @ts-check
// npm run docs: builds the package, then writes the generated tables of README.md and docs/*.md
// (operations, parameters and defaults, the triggers' events, Trigger On and options) from the
// built node descriptions, between <!-- BEGIN generated: <name> --> and <!-- END generated: <name> -->.
// The `compatibility` block is written by `npm run test:compat`, not here.
//   node scripts/docs.mjs           write the blocks (dist/ must be built)
//   node scripts/docs.mjs --check   write nothing; exit 1 when a block differs from the built nodes
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const {
	NAMES,
	fillBlocks,
	findBlocks,
	markdownFiles,
	renderBlocks,
} = require('./lib/docs-tables.cjs');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) {
	console.error('docs: dist/ is missing: run npm run build first (npm run docs does)');
	process.exit(1);
}
const blocks = renderBlocks();
const seen = new Set();
let stale = 0;
for (const file of markdownFiles(ROOT)) {
	const full = path.join(ROOT, file);
	const text = fs.readFileSync(full, 'utf8');
	for (const block of findBlocks(text)) seen.add(block.name);
	const filled = fillBlocks(text, blocks);
	if (filled === text) continue;
	if (check) {
		stale++;
		console.error(`docs: ${file} has generated tables that differ from the built nodes`);
	} else {
		fs.writeFileSync(full, filled);
		console.log(`docs: ${file} updated`);
	}
}
const missing = NAMES.filter((name) => !seen.has(name));
if (missing.length) {
	console.error(`docs: no file has the block(s) ${missing.join(', ')}`);
	process.exit(1);
}
if (stale) process.exit(1);
console.log(check ? 'docs: every generated table matches the built nodes' : 'docs: done');
