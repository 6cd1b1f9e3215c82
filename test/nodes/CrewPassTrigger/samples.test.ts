import nock from 'nock';

import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { EVENT_TYPES } from '../../../nodes/CrewPassTrigger/envelope';
import { SAMPLE_DATA, sampleEnvelope, sampleItem } from '../../../nodes/CrewPassTrigger/samples';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import { SECRET, signedDelivery } from './fixtures';

let harness: TriggerHarness;

beforeAll(() => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
});
beforeEach(() => resetDedupeStores());
afterEach(async () => await harness?.stop());
afterAll(() => nock.enableNetConnect());

describe('CrewPass Trigger sample events (to build a workflow before CrewPass sends anything)', () => {
	it('there is a sample for every event type the node offers', () => {
		expect(Object.keys(SAMPLE_DATA).sort()).toEqual([...EVENT_TYPES].sort());
	});

	it.each(EVENT_TYPES)(
		'%s: the documented sample item is exactly what a real delivery of it produces',
		async (type) => {
			harness = new TriggerHarness({
				parameters: { events: [...EVENT_TYPES], options: {} },
				credentials: testCredentials({ webhookSecret: SECRET }),
			});
			await harness.start();
			const { body, headers } = signedDelivery(sampleEnvelope(type));
			expect((await harness.deliver(body, headers)).status).toBe(200);
			const delivered = harness.executions[0][0][0].json;
			expect({ ...delivered, received_at: 'x' }).toEqual({ ...sampleItem(type), received_at: 'x' });
		},
	);
});
