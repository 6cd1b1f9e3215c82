import type { IBinaryData, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../harness';
import { crewPass, guardRequests } from '../../fixtures/http';

const PHOTO_PATH = (id: string) => `/api/v2/employers/me/crew/${id}/photo`;
// The 8-byte PNG signature plus a few bytes: enough to check the bytes come through unchanged.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x01, 0xfe, 0xff]);
const NO_PHOTO = { error: { code: 'not_found', message: 'this crew member has no photo' } };

function params(crewMember: IDataObject, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'crewMember',
		operation: 'getPhoto',
		crewMember: { __rl: true, ...crewMember },
		...extra,
	};
}

function bytesOf(binary: IBinaryData): Buffer {
	return Buffer.from(binary.data, 'base64');
}

const unexpected = guardRequests();

describe('Crew Member → Get Photo', () => {
	it('GETs the photo with the Bearer key and outputs the bytes as binary "data" with file name and MIME type', async () => {
		const scope = crewPass()
			.get(PHOTO_PATH('crew_001'))
			.reply(200, PNG, { 'Content-Type': 'image/png' });

		const { items, error } = await runNode({
			parameters: params({ mode: 'list', value: 'crew_001' }),
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toEqual({});
		const photo = items[0].binary!.data;
		expect(photo.fileName).toBe('crew_001.png');
		expect(photo.mimeType).toBe('image/png');
		expect(photo.fileExtension).toBe('png');
		expect(bytesOf(photo).equals(PNG)).toBe(true);
		expect(unexpected.requests).toEqual([]);
	});

	it('uses the configured binary field, keeps the input JSON and its other binary fields, and leaves the input untouched', async () => {
		const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
		crewPass()
			.get(PHOTO_PATH('crew_002'))
			.reply(200, jpeg, { 'Content-Type': 'image/jpeg; charset=binary' });
		const existing: IBinaryData = {
			data: Buffer.from('hello').toString('base64'),
			mimeType: 'text/plain',
			fileName: 'note.txt',
		};
		const input: INodeExecutionData[] = [
			{ json: { crew: 'crew_002', nested: { a: 1 } }, binary: { note: existing } },
		];
		const inputBefore = JSON.stringify(input);

		const { items, error } = await runNode({
			parameters: params(
				{ mode: 'id', value: '={{ $json.crew }}' },
				{ binaryPropertyName: 'photo' },
			),
			input,
		});

		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ crew: 'crew_002', nested: { a: 1 } });
		expect(Object.keys(items[0].binary!).sort()).toEqual(['note', 'photo']);
		expect(items[0].binary!.note).toEqual(existing);
		expect(items[0].binary!.photo.fileName).toBe('crew_002.jpg');
		expect(items[0].binary!.photo.mimeType).toBe('image/jpeg');
		expect(bytesOf(items[0].binary!.photo).equals(jpeg)).toBe(true);
		expect(JSON.stringify(input)).toBe(inputBefore);
	});

	it('no photo (404) fails with a clear message by default', async () => {
		crewPass().get(PHOTO_PATH('crew_003')).reply(404, NO_PHOTO);

		const { error } = await runNode({ parameters: params({ mode: 'id', value: 'crew_003' }) });

		expect(error?.message).toBe('Crew member crew_003 has no photo [item 0]');
		expect(error?.description).toMatch(/this crew member has no photo/);
		expect(error?.description).toMatch(/If No Photo/);
	});

	it('no photo with If No Photo = Pass Item Through Without File outputs the input item as it was', async () => {
		crewPass()
			.get(PHOTO_PATH('crew_003'))
			.reply(404, NO_PHOTO)
			.get(PHOTO_PATH('crew_001'))
			.reply(200, PNG, { 'Content-Type': 'image/png' });

		const { items, error } = await runNode({
			parameters: params({ mode: 'id', value: '={{ $json.id }}' }, { ifNoPhoto: 'passThrough' }),
			input: [{ json: { id: 'crew_003' } }, { json: { id: 'crew_001' } }],
		});

		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(items[0]).toEqual({ json: { id: 'crew_003' }, pairedItem: { item: 0 } });
		expect(items[1].binary!.data.fileName).toBe('crew_001.png');
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});

	it('other errors are not passed through', async () => {
		crewPass()
			.get(PHOTO_PATH('crew_001'))
			.reply(403, {
				error: {
					code: 'scope_not_granted',
					message: "scope 'crew:profile:read' is not granted to this partner",
					scope: 'crew:profile:read',
				},
			});

		const { error } = await runNode({
			parameters: params({ mode: 'id', value: 'crew_001' }, { ifNoPhoto: 'passThrough' }),
		});

		expect(error?.message).toMatch(/^CrewPass error scope_not_granted/);
	});

	it('names a file without a known image type after the crew id only', async () => {
		crewPass()
			.get(PHOTO_PATH('crew_001'))
			.reply(200, PNG, { 'Content-Type': 'application/octet-stream' });

		const { items, error } = await runNode({
			parameters: params({ mode: 'id', value: 'crew_001' }),
		});

		expect(error).toBeUndefined();
		expect(items[0].binary!.data.fileName).toBe('crew_001');
		expect(items[0].binary!.data.mimeType).toBe('application/octet-stream');
	});

	it('By Email resolves the crew member first', async () => {
		const scope = crewPass()
			.post('/api/v2/employers/me/crew/lookup', { email: 'alex@example.com' })
			.reply(200, { crew_unique_id: 'crew_001' })
			.get(PHOTO_PATH('crew_001'))
			.reply(200, PNG, { 'Content-Type': 'image/png' });

		const { items, error } = await runNode({
			parameters: params({ mode: 'email', value: 'alex@example.com' }),
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items[0].binary!.data.fileName).toBe('crew_001.png');
	});

	it('an empty binary field name or crew id fails before any request', async () => {
		const noField = await runNode({
			parameters: params({ mode: 'id', value: 'crew_001' }, { binaryPropertyName: '={{ "" }}' }),
		});
		const noId = await runNode({ parameters: params({ mode: 'id', value: '={{ " " }}' }) });

		expect(noField.error?.message).toMatch(/^Put Output File in Field: is empty \[item 0\]/);
		expect(noId.error?.message).toMatch(/^Crew Member: is empty \[item 0\]/);
		expect(unexpected.requests).toEqual([]);
	});
});
