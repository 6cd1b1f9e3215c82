#!/usr/bin/env node
// @ts-check
// The registry this project installs from does not serve the non-Linux builds of unrs-resolver
// (a lint dependency): `npm install` then leaves them out of package-lock.json and `npm ci`
// refuses the lock ("Missing: @unrs/resolver-binding-… from lock file"). This adds lock entries
// for them, with their os/cpu, so npm ci skips them on this platform as it would anywhere.
// Run after regenerating the lock: node scripts/lock-optional-bindings.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const CPU = {
	arm: 'arm',
	arm64: 'arm64',
	x64: 'x64',
	ia32: 'ia32',
	loong64: 'loong64',
	ppc64: 'ppc64',
	riscv64: 'riscv64',
	s390x: 's390x',
	wasi: 'wasm32',
};
let added = 0;
for (const [name, version] of Object.entries(
	packages['node_modules/unrs-resolver']?.optionalDependencies ?? {},
)) {
	const key = `node_modules/${name}`;
	if (packages[key]) continue;
	const [os, cpu] = name.split('resolver-binding-')[1].split('-');
	packages[key] = {
		version,
		license: 'MIT',
		optional: true,
		...(CPU[cpu] ? { cpu: [CPU[cpu]] } : {}),
		...(os !== 'wasm32' ? { os: [os] } : {}),
	};
	added++;
}
lock.packages = Object.fromEntries(
	Object.entries(packages).sort(([a], [b]) =>
		a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
	),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock: ${added} optional binding entr${added === 1 ? 'y' : 'ies'} added`);
