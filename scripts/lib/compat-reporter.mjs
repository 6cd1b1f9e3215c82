// @ts-check
// A node:test reporter for `npm run test:compat` (scripts/compat.mjs): one JSON line per finished
// test or describe (type, name, file, suite, skip, todo, failureType, error's first line), which
// scripts/lib/compat.cjs countEvents() turns into pass / fail counts per test/e2e/<suite>.e2e.mjs.
// Used next to the spec reporter:
//   node --test-reporter=spec --test-reporter-destination=stdout \
//        --test-reporter=./scripts/lib/compat-reporter.mjs --test-reporter-destination=<file> …

/** @param {AsyncIterable<any>} source */
export default async function* compatReporter(source) {
	for await (const event of source) {
		if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
		const d = event.data ?? {};
		const error = d.details?.error;
		const message = error?.cause?.message ?? error?.message;
		yield JSON.stringify({
			type: event.type,
			name: d.name,
			nesting: d.nesting,
			file: d.file,
			suite: d.details?.type === 'suite',
			skip: d.skip !== undefined && d.skip !== false,
			todo: d.todo !== undefined && d.todo !== false,
			failureType: error?.failureType,
			error: message ? String(message).split('\n')[0].slice(0, 300) : undefined,
		}) + '\n';
	}
}
