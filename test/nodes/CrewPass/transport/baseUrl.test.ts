/** Issue 9 item 2: a Custom Base URL is scheme, host and port only, refused before any request. */
import nock from 'nock';

import { runNode, testCredentials } from '../../../harness';
import { guardRequests } from '../fixtures/http';

const unexpected = guardRequests();

export const BAD_BASE_URLS: Array<[string, string]> = [
	['user info', 'http://user:pass@crewpass.test'],
	['user info without password', 'https://key@crewpass.test'],
	['a trailing newline', 'https://crewpass.test\n'],
	['a trailing space', 'https://crewpass.test '],
	['a leading space', ' https://crewpass.test'],
	['a tab inside', 'https://crew\tpass.test'],
	['ftp', 'ftp://crewpass.test'],
	['javascript', 'javascript:alert(1)'],
	['file', 'file:///etc/passwd'],
	['no scheme', 'crewpass.test'],
	['a path', 'https://crewpass.test/api'],
	['a proxy prefix', 'https://proxy.example/crewpass/'],
	['a query', 'https://crewpass.test?x=1'],
	['a fragment', 'https://crewpass.test#x'],
	['a backslash', 'https://evil.example\\@crewpass.test'],
	['an empty value', ''],
];

describe('Custom Base URL', () => {
	it.each(BAD_BASE_URLS)('with %s is refused before any request', async (_what, baseUrl) => {
		const anyHost = nock(/.*/).get(/.*/).reply(200, {});
		const { error } = await runNode({
			parameters: { resource: 'partner', operation: 'get' },
			credentials: testCredentials({ baseUrl }),
		});
		expect(error?.message).toMatch(
			/^The Base URL of the CrewPass API credential is not a valid http\(s\) address: /,
		);
		expect(error?.description).toMatch(/Nothing was sent/);
		expect(anyHost.isDone()).toBe(false);
		expect(unexpected.requests).toEqual([]);
	});

	it.each([
		['an https origin', 'https://crewpass.test', 'https://crewpass.test'],
		['trailing slashes', 'https://crewpass.test//', 'https://crewpass.test'],
		['a port', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
		['an upper-case host', 'https://CrewPass.Test', 'https://crewpass.test'],
	])('with %s is used as the origin', async (_what, baseUrl, origin) => {
		const scope = nock(origin).get('/api/v2/partners/me').reply(200, { partner_id: 'prt_1' });
		const { items, error } = await runNode({
			parameters: { resource: 'partner', operation: 'get' },
			credentials: testCredentials({ baseUrl }),
		});
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items[0].json).toEqual({ partner_id: 'prt_1' });
	});
});
