#!/usr/bin/env node
// @ts-check
// The verification gate n8n applies to community packages, run locally: the scanner's
// analyzePackage on the source and on the unpacked `npm pack` tarball, plus the tarball's shape.
// Run `npm run build` first (npm run scan does).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scannerPath = join(root, 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerPath).href);

let failures = 0;
const fail = (message) => {
	failures++;
	console.error(`✖ ${message}`);
};
const pass = (message) => console.log(`✔ ${message}`);

async function scan(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed)
		pass(`scanner: ${label} has no errors${result.message ? ` (${result.message})` : ''}`);
	else fail(`scanner: ${label}: ${result.message}\n${result.details ?? ''}`);
}

// 1. Suppressions are ignored by the scanner, and banned here.
let suppressed = '';
try {
	suppressed = execFileSync('grep', ['-rln', 'eslint-disable', 'nodes', 'credentials'], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	}).trim();
} catch {
	// grep exits 1 when nothing matches: the good case.
}
if (suppressed) fail(`eslint-disable found in shipped code:\n${suppressed}`);
else pass('no eslint-disable in nodes/ or credentials/');

// 2. The source, as the scanner reads a repository.
await scan('source', root, SOURCE_FILE_PATTERNS);

// 3. The tarball, as n8n installs it.
const work = mkdtempSync(join(tmpdir(), 'crewpass-scan-'));
try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		}),
	)[0];
	const files = packed.files.map((file) => file.path);
	const unexpected = files.filter(
		(file) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(file),
	);
	if (unexpected.length)
		fail(
			`tarball holds files outside dist/, README, LICENSE, package.json: ${unexpected.join(', ')}`,
		);
	else
		pass(
			`tarball holds only dist/, README.md, LICENSE, package.json (${files.length} files, ${packed.size} bytes)`,
		);
	for (const required of ['README.md', 'LICENSE', 'package.json']) {
		if (!files.includes(required)) fail(`tarball is missing ${required}`);
	}

	execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work]);
	const unpacked = join(work, 'package');
	const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
	for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
		if (!existsSync(join(unpacked, entry)))
			fail(`package.json names ${entry}, which is not in the tarball`);
	}
	for (const node of manifest.n8n.nodes) {
		const folder = dirname(join(unpacked, node));
		const present = readdirSync(folder);
		const codex = node.replace(/^.*\//, '').replace(/\.js$/, '.json');
		if (!present.includes(codex)) fail(`${node}: codex file ${codex} missing beside it`);
		const svgs = present.filter((file) => file.endsWith('.svg'));
		if (svgs.length < 2)
			fail(`${node}: light and dark icons missing beside it (found ${svgs.join(', ') || 'none'})`);
		else pass(`${node}: codex ${codex} and icons ${svgs.join(', ')} beside it`);
	}
	await scan('packed tarball', unpacked, ['**/*.js', 'package.json']);
} finally {
	rmSync(work, { recursive: true, force: true });
}

if (failures) {
	console.error(`\nscan: ${failures} problem(s)`);
	process.exit(1);
}
console.log('\nscan: passed');
