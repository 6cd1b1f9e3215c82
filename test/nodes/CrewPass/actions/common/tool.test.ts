/** The pure parts of the AI agent tool's bounds and cleaning (common/tool.ts). */
import type { INode, INodeExecutionData } from 'n8n-workflow';

import {
	boundForTool,
	TOOL_MAX_CHARS,
	TOOL_MAX_ITEMS,
	TOOL_MAX_TEXT,
	toolLimit,
	toolSafeJson,
	toolSafeText,
} from '../../../../../nodes/CrewPass/actions/common/tool';

const bound = { what: 'crew members', narrow: 'set Filters' };
const items = (count: number, size = 10): INodeExecutionData[] =>
	Array.from({ length: count }, (_, i) => ({ json: { i, text: 'x'.repeat(size) } }));
const context = (type: string) => ({ getNode: () => ({ type }) as INode });

describe('boundForTool', () => {
	it('leaves an output within both bounds as it is', () => {
		const output = items(TOOL_MAX_ITEMS);
		expect(boundForTool(output, bound)).toEqual(output);
	});

	it(`cuts at ${TOOL_MAX_ITEMS} items with a note: the total when known, how to narrow`, () => {
		const output = boundForTool(items(60), bound);
		expect(output).toHaveLength(TOOL_MAX_ITEMS + 1);
		expect(output[TOOL_MAX_ITEMS].json).toMatchObject({
			truncated: true,
			items_returned: TOOL_MAX_ITEMS,
			items_total: 60,
		});
		expect(String(output[TOOL_MAX_ITEMS].json.note)).toContain(
			`first ${TOOL_MAX_ITEMS} of 60 crew members`,
		);
		expect(String(output[TOOL_MAX_ITEMS].json.note)).toContain('Narrow the request (set Filters)');
	});

	it('one more than the bound (a list read with toolLimit) means "more than"', () => {
		const note = boundForTool(items(TOOL_MAX_ITEMS + 1), bound)[TOOL_MAX_ITEMS].json;
		expect(note).toMatchObject({ more_available: true, items_returned: TOOL_MAX_ITEMS });
		expect(note.items_total).toBeUndefined();
		expect(String(note.note)).toContain(`more than ${TOOL_MAX_ITEMS} crew members`);
	});

	it(`cuts at ${TOOL_MAX_CHARS} characters of JSON, saying so`, () => {
		const output = boundForTool(items(10, 20_000), bound);
		expect(output).toHaveLength(3);
		expect(JSON.stringify(output.slice(0, 2).map((item) => item.json)).length).toBeLessThan(
			TOOL_MAX_CHARS,
		);
		expect(output[2].json).toMatchObject({ truncated: true, items_returned: 2, items_total: 10 });
		expect(String(output[2].json.note)).toContain('characters');
	});
});

describe('toolLimit', () => {
	it('keeps the Limit in a workflow, caps it (Return All too) for an agent', () => {
		expect(toolLimit(context('n8n-nodes-crewpass.crewPass'), undefined)).toBeUndefined();
		expect(toolLimit(context('n8n-nodes-crewpass.crewPass'), 500)).toBe(500);
		expect(toolLimit(context('n8n-nodes-crewpass.crewPassTool'), undefined)).toBe(
			TOOL_MAX_ITEMS + 1,
		);
		expect(toolLimit(context('n8n-nodes-crewpass.crewPassTool'), 10)).toBe(10);
	});
});

describe('toolSafeText / toolSafeJson', () => {
	const link = 'https://partners.crewpass.co.uk/api/v2/files/eyJhbGciOi.eyJkb2Mi.c2ln';

	it('removes link tokens, signed queries, bearer values, API keys and JWTs, idempotently', () => {
		const text = `see ${link}?X-Sig=abc, Bearer abc.def, cpk_live_abc123, cppk_test_x, eyJhbGciOiJIUzI1NiJ9.e30.x`;
		const safe = toolSafeText(text);
		for (const secret of ['eyJ', 'X-Sig', 'abc', 'cpk_live', 'cppk_test']) {
			expect(safe).not.toContain(secret);
		}
		expect(toolSafeText(safe)).toBe(safe);
	});

	it(`cuts a text longer than ${TOOL_MAX_TEXT} characters, saying so`, () => {
		const safe = toolSafeText('y'.repeat(TOOL_MAX_TEXT + 10));
		expect(safe.startsWith('y'.repeat(TOOL_MAX_TEXT))).toBe(true);
		expect(safe).toContain('10 more characters cut for the AI agent');
	});

	it('drops credential and link keys at any depth; download_url only kept when allowed', () => {
		const answer = {
			document_id: 'doc_1',
			download_url: link,
			nested: [{ signed_url: link, access_token: 't', api_key: 'k', password: 'p', ok: 1 }],
		};
		expect(toolSafeJson(answer)).toEqual({ document_id: 'doc_1', nested: [{ ok: 1 }] });
		expect(toolSafeJson(answer, true)).toEqual({
			document_id: 'doc_1',
			download_url: link,
			nested: [{ ok: 1 }],
		});
	});
});
