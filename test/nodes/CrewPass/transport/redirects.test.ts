/**
 * Issue 9 items 1, 5, 7: the API key never follows a redirect; file links follow redirects only
 * to CrewPass origins, keyless, with a hop cap; a Custom (proxy) base URL accepts links on
 * CrewPass's own https origins.
 */
import nock from 'nock';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import {
	PRODUCTION_BASE_URL,
	SANDBOX_BASE_URL,
} from '../../../../credentials/CrewPassApi.credentials';
import { transportSettings } from '../../../../nodes/CrewPass/transport';
import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../harness';
import { crewPass, guardRequests } from '../fixtures/http';

const OTHER = 'http://other-host.example:8080';
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };
const LINK_PATH = '/api/v2/employers/me/crew/crew_001/documents/doc_1/download';
const FILE_PATH = '/api/v2/files/eyJ0b2tlbiI6InNlY3JldCJ9.sig';
const PDF = Buffer.from('%PDF-1.4\nthe real file\n%%EOF\n');

const unexpected = guardRequests();
const savedRetry = { ...transportSettings.retry };
beforeAll(() => (transportSettings.retry = { ...savedRetry, baseDelayMs: 5, maxDelayMs: 20 }));
afterAll(() => (transportSettings.retry = savedRetry));

/** Every API call the node makes, as [parameters, method, path]. */
const API_CALLS: Array<[string, INodeParameters, 'get' | 'post', string]> = [
	['Partner → Get', { resource: 'partner', operation: 'get' }, 'get', '/api/v2/partners/me'],
	[
		'Vessel → Get Many',
		{ resource: 'vessel', operation: 'getAll', returnAll: true },
		'get',
		'/api/v2/employers/me/vessels',
	],
	[
		'Crew Member → Get Many',
		{ resource: 'crewMember', operation: 'getAll', returnAll: true },
		'get',
		'/api/v2/employers/me/fleet',
	],
	[
		'Crew Member → Find by Email (a POST)',
		{ resource: 'crewMember', operation: 'findByEmail', email: 'crew@example.com' },
		'post',
		'/api/v2/employers/me/crew/lookup',
	],
	[
		'Crew Member → Get Profile',
		{ resource: 'crewMember', operation: 'getProfile', crewMember: crewById },
		'get',
		'/api/v2/employers/me/crew/crew_001/profile',
	],
	[
		'Crew Member → Get Photo',
		{
			resource: 'crewMember',
			operation: 'getPhoto',
			crewMember: crewById,
			ifNoPhoto: 'passThrough',
		},
		'get',
		'/api/v2/employers/me/crew/crew_001/photo',
	],
	[
		'Document → Get Many',
		{ resource: 'document', operation: 'getAll', crewMember: crewById, returnAll: true },
		'get',
		'/api/v2/employers/me/crew/crew_001/documents',
	],
	[
		'Document → Get Download Link',
		{
			resource: 'document',
			operation: 'getDownloadLink',
			crewMember: crewById,
			documentId: 'doc_1',
		},
		'get',
		LINK_PATH,
	],
	[
		'Compliance → Check (a POST)',
		{ resource: 'compliance', operation: 'check', crewMember: crewById },
		'post',
		'/api/v2/employers/me/crew/crew_001/compliance-checks',
	],
];

describe('API requests never follow a redirect (the key stays on the credential origin)', () => {
	it.each(
		API_CALLS.flatMap(([name, parameters, method, path]) =>
			[301, 302, 303, 307, 308].map((status) => [name, status, parameters, method, path] as const),
		),
	)(
		'%s: HTTP %i is an error naming the status and target host',
		async (_name, status, parameters, method, path) => {
			const other = nock(OTHER).intercept(/.*/, method.toUpperCase()).reply(200, PDF);
			const otherGet = nock(OTHER).get(/.*/).reply(200, PDF);
			crewPass()
				.intercept(path, method.toUpperCase())
				.query(true)
				.reply(status, 'Moved', { Location: `${OTHER}/steal?token=abc123` });

			const { items, error } = await runNode({ parameters });

			expect(items).toEqual([]);
			expect(error?.message).toContain(`HTTP ${status}`);
			expect(error?.message).toContain('other-host.example:8080');
			expect(error?.message).toMatch(/never follow redirects/);
			expect(JSON.stringify(error)).not.toContain('abc123');
			expect(other.isDone()).toBe(false);
			expect(otherGet.isDone()).toBe(false);
			expect(unexpected.requests).toEqual([]);
		},
	);

	it('a same-origin redirect is refused too: the answer must come from the address called', async () => {
		crewPass().get('/api/v2/partners/me').reply(302, '', { Location: '/api/v2/partners/me/' });
		const { error } = await runNode({ parameters: { resource: 'partner', operation: 'get' } });
		expect(error?.message).toMatch(/HTTP 302, a redirect to crewpass\.test/);
	});
});

function linkAnswer(url: string) {
	return {
		document_id: 'doc_1',
		download_url: url,
		expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
		content_type: 'application/pdf',
		file_name: 'PST.pdf',
	};
}

function download(extra: INodeParameters = {}) {
	return runNode({
		parameters: {
			resource: 'document',
			operation: 'download',
			crewMember: crewById,
			documentId: 'doc_1',
			...extra,
		},
	});
}

function fileBytes(item: INodeExecutionData): Buffer {
	return Buffer.from(item.binary!.data.data, 'base64');
}

/** A host that records whether any request carried an Authorization header. */
function keylessHost(origin: string) {
	const seen: Array<string | undefined> = [];
	const scope = nock(origin);
	return {
		scope,
		seen,
		record(this: void, req: { headers: Record<string, unknown> }) {
			seen.push(req.headers.authorization as string | undefined);
		},
	};
}

describe('file links follow redirects only to CrewPass origins, keyless, bounded', () => {
	it('follows a redirect on the same origin and outputs the file, never the redirect body', async () => {
		crewPass()
			.get(LINK_PATH)
			.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
		const host = keylessHost(TEST_BASE_URL);
		host.scope
			.get(FILE_PATH)
			.reply(function () {
				host.record(this.req);
				return [302, 'Found. Redirecting', { Location: '/storage/real.pdf?sig=xyz' }];
			})
			.get('/storage/real.pdf')
			.query({ sig: 'xyz' })
			.reply(function () {
				host.record(this.req);
				return [200, PDF, { 'Content-Type': 'application/pdf' }];
			});

		const { items, error } = await download();

		expect(error).toBeUndefined();
		expect(fileBytes(items[0]).equals(PDF)).toBe(true);
		expect(items[0].json.file_size).toBe(PDF.length);
		expect(host.seen).toEqual([undefined, undefined]);
	});

	it.each([PRODUCTION_BASE_URL, SANDBOX_BASE_URL])(
		'follows a redirect to the CrewPass origin %s (https), keyless',
		async (origin) => {
			crewPass()
				.get(LINK_PATH)
				.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
			nock(TEST_BASE_URL)
				.get(FILE_PATH)
				.reply(307, '', { Location: `${origin}/api/v2/files/t2` });
			const crewpass = keylessHost(origin);
			crewpass.scope.get('/api/v2/files/t2').reply(function () {
				crewpass.record(this.req);
				return [200, PDF];
			});

			const { items, error } = await download();

			expect(error).toBeUndefined();
			expect(fileBytes(items[0]).equals(PDF)).toBe(true);
			expect(crewpass.seen).toEqual([undefined]);
		},
	);

	it.each([
		['another host', 'https://files.evil.example/x.pdf'],
		['CrewPass production over http', 'http://partners.crewpass.co.uk/api/v2/files/t'],
		['a look-alike host', 'https://partners.crewpass.co.uk.evil.example/api/v2/files/t'],
		['user info', 'https://user:pw@partners.crewpass.co.uk/api/v2/files/t'],
		['another port of the Base URL host', 'https://crewpass.test:8443/api/v2/files/t'],
	])(
		'refuses a redirect to %s: nothing is requested there, no file is output',
		async (_what, to) => {
			crewPass()
				.get(LINK_PATH)
				.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
			nock(TEST_BASE_URL).get(FILE_PATH).reply(302, '', { Location: to });
			const target = nock(new URL(to).origin).get(/.*/).reply(200, PDF);

			const { items, error } = await download();

			expect(items).toEqual([]);
			expect(error?.message).toBe(
				'Refused to follow a download link that redirects away from CrewPass',
			);
			expect(target.isDone()).toBe(false);
			expect(JSON.stringify(error)).not.toContain('eyJ0b2tlbiI6InNlY3JldCJ9');
		},
	);

	it('stops after the hop cap with a clear error', async () => {
		crewPass()
			.get(LINK_PATH)
			.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
		nock(TEST_BASE_URL)
			.get(FILE_PATH)
			.times(transportSettings.maxLinkHops + 1)
			.reply(302, '', { Location: FILE_PATH });

		const { items, error } = await download();

		expect(items).toEqual([]);
		expect(error?.message).toBe(
			`The download link redirected more than ${transportSettings.maxLinkHops} times`,
		);
	});

	it('a redirect without a Location is an error, not the file', async () => {
		crewPass()
			.get(LINK_PATH)
			.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
		nock(TEST_BASE_URL).get(FILE_PATH).reply(302, 'Found');

		const { items, error } = await download();

		expect(items).toEqual([]);
		expect(error?.message).toBe('The download link answered HTTP 302 without a Location');
	});

	it.each([404, 500])(
		'a final HTTP %i on the file link is an error, never a binary',
		async (status) => {
			crewPass()
				.get(LINK_PATH)
				.reply(200, linkAnswer(`${TEST_BASE_URL}${FILE_PATH}`));
			// A 500 is resent (a read), so it is final only once the attempts are spent.
			const tries = status === 500 ? transportSettings.retry.maxAttempts : 1;
			const file = nock(TEST_BASE_URL)
				.get(FILE_PATH)
				.times(tries)
				.reply(status, '<html>nope</html>');

			const { items, error } = await download();

			expect(items).toEqual([]);
			expect(error).toBeDefined();
			expect(file.isDone()).toBe(true);
			if (status === 500) expect(error?.description).toMatch(/Last problem: HTTP 500/);
			expect(JSON.stringify(error)).not.toContain('eyJ0b2tlbiI6InNlY3JldCJ9');
		},
	);
});

describe('a Custom Base URL (a proxy) accepts links on CrewPass origins, https only', () => {
	it.each([PRODUCTION_BASE_URL, SANDBOX_BASE_URL])(
		'follows a link on %s, keyless',
		async (origin) => {
			crewPass()
				.get(LINK_PATH)
				.reply(200, linkAnswer(`${origin}${FILE_PATH}`));
			const crewpass = keylessHost(origin);
			crewpass.scope.get(FILE_PATH).reply(function () {
				crewpass.record(this.req);
				return [200, PDF, { 'Content-Type': 'application/pdf' }];
			});

			const { items, error } = await download();

			expect(error).toBeUndefined();
			expect(fileBytes(items[0]).equals(PDF)).toBe(true);
			expect(crewpass.seen).toEqual([undefined]);
			expect(JSON.stringify(items)).not.toContain(TEST_API_KEY);
		},
	);

	it.each([
		'http://partners.crewpass.co.uk/api/v2/files/t',
		'https://crewpass.co.uk/api/v2/files/t',
		'https://cdn.example.com/api/v2/files/t',
	])('refuses a link on %s', async (link) => {
		crewPass().get(LINK_PATH).reply(200, linkAnswer(link));
		const target = nock(new URL(link).origin).get(/.*/).reply(200, PDF);

		const { error } = await download();

		expect(error?.message).toBe(
			'Refused to follow a download link that does not point to CrewPass',
		);
		expect(target.isDone()).toBe(false);
	});
});
