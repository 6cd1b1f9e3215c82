// @ts-check
// Resident memory of the n8n process and its children (Linux /proc), sampled for `npm run bench`.
import fs from 'node:fs';

/** A process's VmRSS (or another VmXxx line of /proc/<pid>/status) in kB; undefined when gone. */
export function statusKb(pid, field = 'VmRSS') {
	try {
		const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
			fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
		);
		return m ? Number(m[1]) : undefined;
	} catch {
		return undefined;
	}
}

/** The command line of a process (arguments joined by spaces), or '' when gone. */
export function commandOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
	} catch {
		return '';
	}
}

/** Every descendant of `pid` (children, their children ...), from /proc/<n>/stat. */
export function descendants(pid) {
	/** @type {Map<number, number[]>} */
	const children = new Map();
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			// pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			const list = children.get(ppid) ?? [];
			list.push(Number(name));
			children.set(ppid, list);
		} catch {
			// the process ended meanwhile
		}
	}
	const out = [];
	const queue = [pid];
	while (queue.length) {
		for (const child of children.get(/** @type {number} */ (queue.shift())) ?? []) {
			out.push(child);
			queue.push(child);
		}
	}
	return out;
}

/**
 * Samples the RSS of `pid` every `everyMs` (and of its descendants, found again every second)
 * until stop(). `samples` holds { t (epoch ms), main (kB), children (kB, summed) };
 * `peak(from, to)` and `median(from, to)` read them for a window (kB). Resetting the kernel's
 * peak (`resetPeak()`, /proc/<pid>/clear_refs) lets `hwm()` (VmHWM) check the sampled peak.
 * @param {number} pid
 * @param {number} [everyMs]
 */
export function sampleMemory(pid, everyMs = 100) {
	/** @type {{ t: number, main: number, children: number }[]} */
	const samples = [];
	/** @type {number[]} */
	let kids = [];
	let lastScan = 0;
	/** Child pid → its command line, for the report. */
	const seen = new Map();
	const take = () => {
		const t = Date.now();
		if (t - lastScan >= 1_000) {
			kids = descendants(pid);
			for (const k of kids) if (!seen.has(k)) seen.set(k, commandOf(k));
			lastScan = t;
		}
		const main = statusKb(pid);
		if (main === undefined) return;
		const children = kids.reduce((sum, k) => sum + (statusKb(k) ?? 0), 0);
		samples.push({ t, main, children });
	};
	take();
	const timer = setInterval(take, everyMs);
	const within = (from, to) => samples.filter((s) => s.t >= from && s.t <= to);
	const sortedOf = (from, to, key) =>
		within(from, to)
			.map((s) => s[key])
			.sort((a, b) => a - b);
	return {
		samples,
		children: seen,
		peak: (from, to, key = 'main') => sortedOf(from, to, key).at(-1) ?? NaN,
		median: (from, to, key = 'main') => {
			const s = sortedOf(from, to, key);
			return s.length ? s[Math.floor(s.length / 2)] : NaN;
		},
		count: (from, to) => within(from, to).length,
		/** Resets the kernel's peak RSS of the main process; false when not allowed. */
		resetPeak: () => {
			try {
				fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
				return true;
			} catch {
				return false;
			}
		},
		hwm: () => statusKb(pid, 'VmHWM'),
		stop: () => clearInterval(timer),
	};
}
