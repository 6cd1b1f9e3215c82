import { NodeOperationError, sleep } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { mapWithConcurrency } from '../../../../nodes/CrewPass/shared/concurrency';

const node: INode = {
	id: 'n',
	name: 'CrewPass',
	type: 'n8n-nodes-crewpass.crewPass',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const ctx = { getNode: () => node };

describe('mapWithConcurrency', () => {
	it('keeps the order of the items and never exceeds the concurrency', async () => {
		let inFlight = 0;
		let most = 0;
		const results = await mapWithConcurrency(ctx, [5, 1, 4, 2, 3], 2, async (ms, index) => {
			inFlight++;
			most = Math.max(most, inFlight);
			await sleep(ms);
			inFlight--;
			return index;
		});
		expect(results).toEqual([0, 1, 2, 3, 4]);
		expect(most).toBe(2);
	});

	it('stops with the earliest item’s failure, whichever answer comes back first', async () => {
		// item 1 fails late, item 3 fails early: the run stops with item 1's error
		const started: number[] = [];
		const run = mapWithConcurrency(ctx, [0, 1, 2, 3, 4, 5, 6, 7], 4, async (_, index) => {
			started.push(index);
			if (index === 1) {
				await sleep(30);
				throw new Error('item 1');
			}
			if (index === 3) {
				await sleep(1);
				throw new Error('item 3');
			}
			await sleep(5);
			return index;
		});
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow('item 1');
		// no new work after the first failure
		expect(started).not.toContain(7);
	});
});
