// @ts-check
// Summarises V8 CPU profiles (node --cpu-prof) of the n8n process: self time by package and by
// function, idle time left out.
import fs from 'node:fs';
import path from 'node:path';

/** The package a script URL belongs to (the innermost node_modules entry), or a label. */
export function packageOf(url, functionName) {
	if (!url) return functionName.startsWith('(') ? functionName : '(native)';
	if (url.startsWith('node:')) return 'node (core)';
	const p = url.replace(/^file:\/\//, '');
	const i = p.lastIndexOf('node_modules/');
	if (i < 0) return 'other';
	const rest = p.slice(i + 'node_modules/'.length).split('/');
	return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

function fileOf(url) {
	const p = url.replace(/^file:\/\//, '');
	const i = p.lastIndexOf('node_modules/');
	return i < 0 ? path.basename(p) : p.slice(i + 'node_modules/'.length);
}

/**
 * A .cpuprofile read once, to summarise for any set of windows:
 * `summarise(windows, exitedAt)` as summarise() below.
 * @param {string} file
 */
export function loadProfile(file) {
	const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
	const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
	// sample times in the profile's clock (µs); the last one is (about) the process's exit
	const times = new Float64Array(prof.samples.length);
	let t = prof.startTime;
	prof.samples.forEach((_, i) => {
		t += prof.timeDeltas[i] ?? 0;
		times[i] = t;
	});
	return {
		/**
		 * @param {{ from: number, to: number }[] | undefined} windows
		 * @param {number | undefined} exitedAt
		 */
		summarise(windows, exitedAt) {
			const self = new Map();
			const inWindow = (us) => {
				if (!windows || exitedAt === undefined) return true;
				const epochMs = exitedAt - (prof.endTime - us) / 1000;
				return windows.some((w) => epochMs >= w.from && epochMs <= w.to);
			};
			prof.samples.forEach((id, i) => {
				if (inWindow(times[i])) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
			});
			const byPackage = new Map();
			const byFunction = new Map();
			let totalUs = 0;
			let idleUs = 0;
			for (const [id, us] of self) {
				const { functionName, url, lineNumber } = nodes.get(id).callFrame;
				totalUs += us;
				if (functionName === '(idle)') {
					idleUs += us;
					continue;
				}
				const pkg = packageOf(url, functionName);
				byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
				const fn = url
					? `${functionName || '(anonymous)'} ${fileOf(url)}:${lineNumber + 1}`
					: functionName || '(anonymous)';
				byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
			}
			const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us / 1000]);
			return {
				totalMs: totalUs / 1000,
				busyMs: (totalUs - idleUs) / 1000,
				byPackage: sorted(byPackage),
				byFunction: sorted(byFunction),
			};
		},
	};
}

/**
 * { totalMs, busyMs, byPackage: [[name, ms]], byFunction: [[name, ms]] } of one .cpuprofile.
 * With `windows` ([{ from, to }] in epoch ms) and `exitedAt` (epoch ms when the process ended,
 * which is where the profile ends), only the samples inside a window count.
 * @param {string} file
 * @param {{ windows?: { from: number, to: number }[], exitedAt?: number }} [options]
 */
export function summarise(file, { windows, exitedAt } = {}) {
	return loadProfile(file).summarise(windows, exitedAt);
}

/**
 * Prints the top `top` packages and functions of the largest profile in `dir` (n8n's main
 * process), counting only the samples inside `windows` (the measured blocks) when given.
 * @param {string} dir
 * @param {{ top?: number, out?: NodeJS.WritableStream, windows?: { from: number, to: number }[], exitedAt?: number, mainOnly?: boolean }} [options]
 */
export function printProfiles(
	dir,
	{ top = 20, out = process.stdout, windows, exitedAt, mainOnly = false } = {},
) {
	const files = fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.cpuprofile'))
		.map((f) => path.join(dir, f))
		.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
	if (!files.length) {
		out.write(`no .cpuprofile in ${dir} (did n8n exit cleanly?)\n`);
		return;
	}
	for (const [i, file] of files.entries()) {
		if (i > 0 && mainOnly) break;
		const s = summarise(file, { windows, exitedAt });
		const pct = (ms) => `${((ms / s.busyMs) * 100).toFixed(1).padStart(5)}%`;
		out.write(
			`\nCPU profile ${path.basename(file)}${i === 0 ? ' (largest: n8n main)' : ''}: ` +
				`${(s.busyMs / 1000).toFixed(1)} s busy of ${(s.totalMs / 1000).toFixed(1)} s` +
				`${windows ? ` inside the ${windows.length} measured blocks (start-up and set-up left out)` : ''}\n`,
		);
		if (i > 0) {
			out.write(
				`  top packages: ${s.byPackage
					.slice(0, 5)
					.map(([k, ms]) => `${k} ${pct(ms).trim()}`)
					.join(', ')}\n`,
			);
			continue;
		}
		out.write('  self time by package:\n');
		for (const [k, ms] of s.byPackage.slice(0, top))
			out.write(`    ${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}\n`);
		out.write('  self time by function:\n');
		for (const [k, ms] of s.byFunction.slice(0, top))
			out.write(`    ${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}\n`);
	}
}
