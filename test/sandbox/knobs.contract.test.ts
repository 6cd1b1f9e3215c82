// The sandbox's boundary knobs: answers the contract allows that our nodes must not take for
// granted (redirects, file links that hop or live on another CrewPass host, bare 404s, a proxy
// prefix). Each test shows the knob produces the case, and that the default is unchanged.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, expectErrorEnvelope } from './client';

const SECRET = 'knobs-suite-link-secret';
let sb: Sandbox;
let other: Sandbox;
let key: string;
const api = (path: string) => `/api/v2/employers/me${path}`;

/** One request without following redirects. */
async function raw(url: string, init: RequestInit = {}) {
	const res = await fetch(url, { ...init, redirect: 'manual' });
	const bytes = Buffer.from(await res.arrayBuffer());
	return {
		status: res.status,
		location: res.headers.get('location'),
		type: res.headers.get('content-type'),
		text: bytes.toString('utf8'),
		bytes,
	};
}

async function downloadUrl(s: Sandbox = sb): Promise<string> {
	const crew = s.crew(s.fixtures.compliant)!;
	const doc = crew.documents[0];
	const link = await call(
		s.url,
		api(`/crew/${crew.crew_unique_id}/documents/${doc.document_id}/download`),
		{ key: s.keys.management },
	);
	expect(link.status).toBe(200);
	return link.body.download_url;
}

beforeAll(async () => {
	// Two instances with the same data seed and link secret: `other` stands in for a second
	// CrewPass host (e.g. https://partners.crewpass.co.uk) that honours the same download links.
	sb = await startSandbox({ crew: 20, seed: 4, rateLimit: false, secret: SECRET });
	other = await startSandbox({ crew: 20, seed: 4, rateLimit: false, secret: SECRET });
	key = sb.keys.management;
});
afterAll(async () => {
	await Promise.all([sb.stop(), other.stop()]);
});
afterEach(() => {
	sb.knobs.reset();
	other.knobs.reset();
});

describe('API redirects (redirects knob)', () => {
	it('is off by default: no route redirects', async () => {
		expect(sb.knobs.get().redirects).toEqual([]);
		const r = await raw(`${sb.url}/api/v2/employers/me/crew/${sb.fixtures.compliant}/photo`, {
			headers: { Authorization: `Bearer ${key}` },
		});
		expect(r.status).toBe(200);
	});

	it('sends Get Photo to another host with a 302, before the key is even checked', async () => {
		sb.knobs.set({
			redirects: [{ path: '/photo$', status: 302, location: `${other.url}/stolen{path}` }],
		});
		const path = api(`/crew/${sb.fixtures.compliant}/photo`);
		const r = await raw(`${sb.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
		expect(r.status).toBe(302);
		expect(r.location).toBe(`${other.url}/stolen${path}`);
		expect(r.text).toBe(`Redirecting to ${other.url}/stolen${path}`);
		// other paths are untouched
		expect((await call(sb.url, '/api/v2/partners/me', { key })).status).toBe(200);
	});

	it.each([301, 302, 303, 307, 308])(
		'answers %i (any method, or one method only)',
		async (status) => {
			sb.knobs.set({
				redirects: [{ path: 'crew/lookup$', method: 'POST', status, location: '/moved{path}' }],
			});
			const r = await raw(`${sb.url}${api('/crew/lookup')}?x=1`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
				body: '{"email":"a@b.co"}',
			});
			expect(r.status).toBe(status);
			expect(r.location).toBe(`/moved${api('/crew/lookup')}?x=1`);
			expect(
				(
					await raw(`${sb.url}${api('/crew/lookup')}`, {
						headers: { Authorization: `Bearer ${key}` },
					})
				).status,
			).toBe(405);
		},
	);

	it('a rule with times answers only the next N requests; {origin} is this host', async () => {
		sb.knobs.set({ redirects: [{ status: 307, location: '{origin}/elsewhere', times: 2 }] });
		expect((await raw(`${sb.url}/api/v2/partners/me`)).location).toBe(`${sb.url}/elsewhere`);
		expect((await raw(`${sb.url}/api/v2/partners/me`)).status).toBe(307);
		expect((await call(sb.url, '/api/v2/partners/me', { key })).status).toBe(200);
		expect(sb.knobs.get().redirects).toEqual([]);
	});

	it('is settable over HTTP; bad rules and unknown knobs are 422', async () => {
		const set = await call(sb.url, '/_sandbox/knobs', {
			json: {
				redirects: [
					{ path: '^/api/v2/partners/me$', status: 308, location: 'http://127.0.0.1:9/x' },
				],
			},
		});
		expect(set.status).toBe(200);
		expect(set.body.redirects).toEqual([
			{ path: '^/api/v2/partners/me$', status: 308, location: 'http://127.0.0.1:9/x' },
		]);
		expect((await raw(`${sb.url}/api/v2/partners/me`)).status).toBe(308);
		expect(
			(
				await call(sb.url, '/_sandbox/knobs', {
					json: { redirects: [{ status: 418, location: '/x' }] },
				})
			).status,
		).toBe(422);
		expect(
			(
				await call(sb.url, '/_sandbox/knobs', {
					json: { redirects: [{ path: '(', location: '/x' }] },
				})
			).status,
		).toBe(422);
		expect((await call(sb.url, '/_sandbox/knobs', { json: { teleport: true } })).status).toBe(422);
		expect((await call(sb.url, '/_sandbox/knobs/reset', { json: {} })).body.redirects).toEqual([]);
		expect((await raw(`${sb.url}/api/v2/partners/me`)).status).toBe(401);
	});
});

describe('File-link redirects (fileRedirects knob)', () => {
	it('a chain of N hops on the same origin, then the file', async () => {
		sb.knobs.set({ fileRedirects: { hops: 2 } });
		const link = await downloadUrl();
		const first = await raw(link);
		expect(first.status).toBe(302);
		expect(first.location).toBe(`${link}?hop=1`);
		const second = await raw(first.location!);
		expect(second.status).toBe(302);
		expect(second.location).toBe(`${link}?hop=2`);
		const file = await raw(second.location!);
		expect(file.status).toBe(200);
		expect(file.type).toBe('application/pdf');
		expect(file.bytes.subarray(0, 5).toString()).toBe('%PDF-');
		// a client that follows redirects ends at the file
		const followed = await fetch(link);
		expect(followed.status).toBe(200);
		expect(
			Buffer.from(await followed.arrayBuffer())
				.subarray(0, 5)
				.toString(),
		).toBe('%PDF-');
	});

	it('hops through another CrewPass origin, which serves the same link', async () => {
		sb.knobs.set({ fileRedirects: { hops: 1, status: 307, via: [other.url] } });
		const link = await downloadUrl();
		const r = await raw(link);
		expect(r.status).toBe(307);
		expect(r.location!.startsWith(`${other.url}/api/v2/files/`)).toBe(true);
		const file = await raw(r.location!);
		expect(file.status).toBe(200);
		expect(file.type).toBe('application/pdf');
	});

	it('ends on a foreign host ({token} = the link token)', async () => {
		sb.knobs.set({
			fileRedirects: { hops: 2, via: [other.url], location: 'http://127.0.0.1:9/evil?t={token}' },
		});
		const link = await downloadUrl();
		const token = link.slice(link.lastIndexOf('/') + 1);
		const hop1 = await raw(link);
		expect(hop1.location).toBe(`${other.url}/api/v2/files/${token}?hop=1`);
		other.knobs.set({ fileRedirects: { hops: 2, location: 'http://127.0.0.1:9/evil?t={token}' } });
		const hop2 = await raw(hop1.location!);
		expect(hop2.status).toBe(302);
		expect(hop2.location).toBe(`http://127.0.0.1:9/evil?t=${token}`);
		expect(hop2.text).toBe(`Redirecting to http://127.0.0.1:9/evil?t=${token}`);
	});

	it('a forged or expired link is still refused before any hop', async () => {
		sb.knobs.set({ fileRedirects: { hops: 1 } });
		expectErrorEnvelope(
			await call(sb.url, '/api/v2/files/eyJ4IjoxfQ.AAAA'),
			403,
			'invalid_download_link',
		);
	});

	it('validates hops and origins', async () => {
		expect(
			(await call(sb.url, '/_sandbox/knobs', { json: { fileRedirects: { hops: 0 } } })).status,
		).toBe(422);
		expect(
			(await call(sb.url, '/_sandbox/knobs', { json: { fileRedirects: { via: ['ftp://x'] } } }))
				.status,
		).toBe(422);
		expect(
			(await call(sb.url, '/_sandbox/knobs', { json: { fileRedirects: { hops: 3, status: 301 } } }))
				.body.fileRedirects,
		).toEqual({ hops: 3, status: 301, via: [], location: null });
	});
});

describe('Links on another CrewPass host (linkOrigin knob)', () => {
	it('defaults to the host the API was called on', async () => {
		expect((await downloadUrl()).startsWith(`${sb.url}/api/v2/files/`)).toBe(true);
	});

	it('points download links at https://partners.crewpass.co.uk', async () => {
		sb.knobs.set({ linkOrigin: 'https://partners.crewpass.co.uk' });
		expect((await downloadUrl()).startsWith('https://partners.crewpass.co.uk/api/v2/files/')).toBe(
			true,
		);
	});

	it('points them at a second local sandbox, which serves the file', async () => {
		sb.knobs.set({ linkOrigin: other.url });
		const link = await downloadUrl();
		expect(link.startsWith(`${other.url}/api/v2/files/`)).toBe(true);
		const file = await raw(link);
		expect(file.status).toBe(200);
		expect(file.type).toBe('application/pdf');
	});

	it('is a startSandbox option too, and refuses a non-http origin', async () => {
		const s = await startSandbox({
			crew: 5,
			rateLimit: false,
			linkOrigin: 'https://partners.crewpass.co.uk/ignored-path',
		});
		try {
			expect(s.knobs.get().linkOrigin).toBe('https://partners.crewpass.co.uk');
			expect(
				(await downloadUrl(s)).startsWith('https://partners.crewpass.co.uk/api/v2/files/'),
			).toBe(true);
		} finally {
			await s.stop();
		}
		await expect(startSandbox({ linkOrigin: 'javascript:alert(1)' })).rejects.toThrow(/linkOrigin/);
	});
});

describe('404s without the CrewPass envelope (notFound, pathPrefix knobs)', () => {
	it('a known route answers {"detail":"Not Found"} where CrewPass would say not_found', async () => {
		const before = await call(sb.url, api('/crew/lookup'), {
			key,
			json: { email: 'nobody@example.com' },
		});
		expectErrorEnvelope(before, 404, 'not_found');
		sb.knobs.set({ notFound: { path: '/crew/lookup$' } });
		const r = await call(sb.url, api('/crew/lookup'), {
			key,
			json: { email: 'nobody@example.com' },
		});
		expect(r.status).toBe(404);
		expect(r.text).toBe('{"detail":"Not Found"}');
		expect(r.body.error).toBeUndefined();
		expect((await call(sb.url, '/api/v2/partners/me', { key })).status).toBe(200);
	});

	it('every path, as an HTML page from a proxy', async () => {
		sb.knobs.set({ notFound: { format: 'html' } });
		const r = await raw(`${sb.url}/api/v2/partners/me`, {
			headers: { Authorization: `Bearer ${key}` },
		});
		expect(r.status).toBe(404);
		expect(r.type).toMatch(/^text\/html/);
		expect(r.text).toContain('404 Not Found');
		// the control API is never affected
		expect((await call(sb.url, '/_sandbox/knobs')).body.notFound).toEqual({
			path: null,
			format: 'html',
		});
	});

	it('pathPrefix: the API answers only under the prefix; links carry it', async () => {
		sb.knobs.set({ pathPrefix: '/crewpass' });
		const bare = await call(sb.url, '/api/v2/partners/me', { key });
		expect(bare.status).toBe(404);
		expect(bare.text).toBe('{"detail":"Not Found"}');
		expect((await call(sb.url, '/crewpass/api/v2/partners/me', { key })).body.partner_id).toBe(
			'prt_harbourline',
		);
		const crew = sb.crew(sb.fixtures.compliant)!;
		const link = await call(
			sb.url,
			`/crewpass${api(`/crew/${crew.crew_unique_id}/documents/${crew.documents[0].document_id}/download`)}`,
			{ key },
		);
		expect(link.body.download_url.startsWith(`${sb.url}/crewpass/api/v2/files/`)).toBe(true);
		expect((await raw(link.body.download_url)).status).toBe(200);
		expect(
			(await call(sb.url, '/_sandbox/knobs', { json: { pathPrefix: 'no-slash' } })).status,
		).toBe(422);
	});

	it('POST /_sandbox/reset clears every knob', async () => {
		sb.knobs.set({
			notFound: true,
			linkOrigin: other.url,
			pathPrefix: '/p',
			redirects: [{ location: '/x' }],
			fileRedirects: { hops: 1 },
			fleetStatusField: 'status',
		});
		await call(sb.url, '/_sandbox/reset', { json: {} });
		expect(sb.knobs.get()).toEqual({
			redirects: [],
			fileRedirects: null,
			linkOrigin: null,
			notFound: null,
			pathPrefix: null,
			fleetStatusField: 'verification_status',
		});
		expect((await call(sb.url, '/api/v2/partners/me', { key })).status).toBe(200);
	});
});
