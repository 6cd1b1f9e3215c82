/**
 * The polling trigger and the CrewPass node share the API key's pacer: a compliance watch and a
 * Check Fleet running at the same time, against CrewPass's token buckets, draw no 429 and fail
 * no item.
 */
import { runNode } from '../../harness';
import { PollingWorkflow } from '../../harness/poll';
import { guardRequests } from '../CrewPass/fixtures/http';
import { complianceOf, Fleet } from './fleet';

guardRequests();

it('a poll with Compliance Changed and a Check Fleet at once stay within the contract budget', async () => {
	const fleet = new Fleet(150, ['ves_abc', 'ves_def']).serve();
	fleet.rateLimited = true;
	const workflow = new PollingWorkflow({ events: ['complianceChanged'], options: {} });
	expect((await workflow.poll()).error).toBeUndefined();
	fleet.compliance.set(
		'crew_00007/ves_abc',
		complianceOf('crew_00007', 'ves_abc', 'non_compliant'),
	);
	const [poll, check] = await Promise.all([
		workflow.poll(),
		runNode({ parameters: { resource: 'compliance', operation: 'checkFleet' } }),
	]);
	expect(poll.error).toBeUndefined();
	expect(poll.items.map((i) => i.crew_unique_id)).toEqual(['crew_00007']);
	expect(check.error).toBeUndefined();
	expect(check.items).toHaveLength(150);
	// 3 roster reads (1 page each) and 3 × 150 compliance reads. The shared pacer keeps both
	// within the buckets; a 429 can only come from the machine stalling requests it admitted
	// (a loaded CI machine: up to 10 seen), and it is retried, so no item fails. Without the
	// sharing about half the reads would be refused: the bound is a tenth of them.
	expect(fleet.refused).toBeLessThan(45);
});
