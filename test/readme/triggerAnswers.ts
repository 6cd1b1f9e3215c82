import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { REREAD_BURST } from '../../nodes/CrewPassTrigger/config';
import { testCredentials } from '../harness';
import { TriggerHarness, type DeliveryAnswer } from '../harness/webhook';
import {
	ALL_EVENTS,
	envelope,
	nowSeconds,
	SECRET,
	signedDelivery,
} from '../nodes/CrewPassTrigger/fixtures';
import { captureLogs } from '../nodes/CrewPassTrigger/logs';

/** What one case of the README's answer table came to. */
export interface Observed {
	/** The answers to compare with the table's Answer column. */
	answers: DeliveryAnswer[];
	/** Levels of everything the trigger wrote to n8n's log during the case. */
	logLevels: string[];
}

interface TriggerSetup {
	options?: INodeParameters;
	events?: string[];
	credentials?: IDataObject | null;
	failedExecutionStarts?: number;
}

interface Run {
	harness: TriggerHarness;
	deliver: (delivery: { body: Buffer; headers: Record<string, string> }) => Promise<DeliveryAnswer>;
	executions: () => INodeExecutionData[][][];
}

/** Starts a published workflow with one CrewPass Trigger, runs `steps`, stops it. */
async function withTrigger(
	setup: TriggerSetup,
	steps: (run: Run) => Promise<DeliveryAnswer[]>,
): Promise<Observed> {
	const logs = captureLogs();
	const harness = new TriggerHarness({
		parameters: { events: setup.events ?? ALL_EVENTS, options: setup.options ?? {} },
		credentials:
			setup.credentials === null
				? null
				: testCredentials({ webhookSecret: SECRET, ...(setup.credentials ?? {}) }),
		failedExecutionStarts: setup.failedExecutionStarts,
	});
	try {
		await harness.start();
		const answers = await steps({
			harness,
			deliver: async ({ body, headers }) => await harness.deliver(body, headers),
			executions: () => harness.executions,
		});
		return { answers, logLevels: [...new Set(logs.lines.map((line) => line.level))] };
	} finally {
		logs.restore();
		await harness.stop();
	}
}

/** Fails the case (with a message naming it) when a side condition does not hold. */
function check(condition: boolean, what: string): void {
	if (!condition) throw new Error(what);
}

/** A body signed as CrewPass signs it, with the headers CrewPass sends. */
function signedBytes(body: string, contentType = 'application/json') {
	const delivery = signedDelivery(
		{ event_id: 'evt_raw', event_type: 'crew.profile.updated' },
		{
			body: Buffer.from(body, 'utf8'),
		},
	);
	delivery.headers['Content-Type'] = contentType;
	return delivery;
}

/** A JSON object nested `depth` levels deep. */
function nested(depth: number): unknown {
	let value: unknown = {};
	for (let i = 1; i < depth; i++) value = { a: value };
	return value;
}

/** The item a published CrewPass Trigger outputs for one signed delivery of `event`. */
export async function deliveredItem(event: IDataObject): Promise<IDataObject> {
	let item: IDataObject | undefined;
	await withTrigger({}, async ({ deliver, executions }) => {
		const answer = await deliver(signedDelivery(event));
		item = executions()[0]?.[0][0].json;
		return [answer];
	});
	if (!item) throw new Error(`no execution for ${String(event.event_type)}`);
	return item;
}

/**
 * One scenario per row of the README's "What the trigger answers" table, keyed by the row's
 * Case cell exactly. A README row without a scenario, or a scenario without a row, fails the test.
 */
export const TRIGGER_CASES: Record<string, () => Promise<Observed>> = {
	'Genuine, new event of a selected type': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const answer = await deliver(signedDelivery(envelope()));
			check(executions().length === 1, 'exactly one execution');
			return [answer];
		}),

	'Event id already seen': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const delivery = signedDelivery(envelope());
			await deliver(delivery);
			const again = await deliver(signedDelivery(JSON.parse(delivery.body.toString())));
			check(executions().length === 1, 'one execution for two copies');
			return [again];
		}),

	'Event type not selected on the node': async () =>
		await withTrigger({ events: ['crew.profile.updated'] }, async ({ deliver, executions }) => {
			const answer = await deliver(signedDelivery(envelope('crew.document.processed')));
			check(executions().length === 0, 'no execution');
			return [answer];
		}),

	'Signed event of a type this node does not know': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const answer = await deliver(signedDelivery(envelope('crew.vessel.renamed')));
			check(executions().length === 0, 'no execution');
			return [answer];
		}),

	'Signed event of a `schema_version` this node does not know': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const delivery = signedDelivery(envelope('crew.profile.updated', { schema_version: 2 }));
			delivery.headers['X-CrewPass-Schema-Version'] = '2';
			const answer = await deliver(delivery);
			check(executions().length === 0, 'no execution');
			return [answer];
		}),

	'Signed, `X-CrewPass-Event-Id` / `-Event-Type` / `-Schema-Version` header missing or disagreeing with the body':
		async () =>
			await withTrigger({}, async ({ deliver, executions }) => {
				const missing = signedDelivery(envelope());
				delete missing.headers['X-CrewPass-Event-Id'];
				delete missing.headers['X-CrewPass-Event-Type'];
				delete missing.headers['X-CrewPass-Schema-Version'];
				const disagreeing = signedDelivery(envelope('crew.status.changed'));
				disagreeing.headers['X-CrewPass-Event-Id'] = 'evt_something_else';
				disagreeing.headers['X-CrewPass-Event-Type'] = 'crew.profile.updated';
				disagreeing.headers['X-CrewPass-Schema-Version'] = '7';
				const answers = [await deliver(missing), await deliver(disagreeing)];
				check(executions().length === 2, 'both accepted');
				check(
					executions()[1][0][0].json.event_type === 'crew.status.changed',
					'the signed body wins',
				);
				return answers;
			}),

	'Signed, `occurred_at` without a zone': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const answer = await deliver(
				signedDelivery(envelope('crew.profile.updated', { occurred_at: '2026-06-08T10:00:00' })),
			);
			check(
				executions()[0]?.[0][0].json.occurred_at === '2026-06-08T10:00:00',
				'occurred_at passed through as sent',
			);
			return [answer];
		}),

	'Non-ASCII `event_id` (UTF-8 header bytes)': async () =>
		await withTrigger({}, async ({ deliver, executions }) => {
			const id = 'evt_Ünïcödé_事件';
			const first = signedDelivery(envelope('crew.profile.updated', { event_id: id }));
			first.headers['X-CrewPass-Event-Id'] = Buffer.from(id, 'utf8').toString('latin1');
			const answer = await deliver(first);
			const copy = await deliver(first);
			check(copy.json?.status === 'duplicate', 'its copy is a duplicate');
			check(executions().length === 1, 'one execution');
			return [answer];
		}),

	'A retry CrewPass signed earlier than the Timestamp Tolerance, within *Accept Late Retries For*':
		async () =>
			await withTrigger({}, async ({ deliver, executions }) => {
				const sixHoursAgo = String(Number(nowSeconds()) - 6 * 3600);
				const late = signedDelivery(envelope(), { timestamp: sixHoursAgo });
				const answer = await deliver(late);
				const copy = await deliver(late);
				check(copy.json?.status === 'duplicate', 'its copy is a duplicate');
				check(executions().length === 1, 'one execution');
				return [answer];
			}),

	'Not genuine: no or malformed signature or timestamp, wrong secret, changed body, timestamp more than the tolerance ahead, or older than the late-retry window':
		async () =>
			await withTrigger({}, async ({ deliver, executions }) => {
				const variants: Array<{ body: Buffer; headers: Record<string, string> }> = [];
				const noSignature = signedDelivery(envelope());
				delete noSignature.headers['X-CrewPass-Signature'];
				const badSignature = signedDelivery(envelope());
				badSignature.headers['X-CrewPass-Signature'] = 'v1=not-hex';
				const noTimestamp = signedDelivery(envelope());
				delete noTimestamp.headers['X-CrewPass-Timestamp'];
				const badTimestamp = signedDelivery(envelope());
				badTimestamp.headers['X-CrewPass-Timestamp'] = 'yesterday';
				const changed = signedDelivery(envelope());
				const tampered = {
					body: Buffer.from(changed.body.toString().replace('crew_001', 'crew_002')),
					headers: changed.headers,
				};
				const ahead = String(Number(nowSeconds()) + 600);
				const tooOld = String(Number(nowSeconds()) - 73 * 3600);
				variants.push(
					noSignature,
					badSignature,
					noTimestamp,
					badTimestamp,
					signedDelivery(envelope(), { secret: 'whsec_someone_else' }),
					tampered,
					signedDelivery(envelope(), { timestamp: ahead }),
					signedDelivery(envelope(), { timestamp: tooOld }),
				);
				const answers: DeliveryAnswer[] = [];
				for (const variant of variants) answers.push(await deliver(variant));
				check(executions().length === 0, 'no execution');
				return answers;
			}),

	'Body over 1 MiB (checked before the signature)': async () =>
		await withTrigger({}, async ({ deliver }) => {
			const padding = 'x'.repeat(1024 * 1024);
			return [await deliver(signedDelivery(envelope('crew.profile.updated', { padding })))];
		}),

	'Signed body nested deeper than 32 levels': async () =>
		await withTrigger({}, async ({ deliver }) => {
			const body = envelope('crew.profile.updated', { data: nested(33) });
			return [await deliver(signedDelivery(body))];
		}),

	'Signed body that is not JSON, sent with a Content-Type other than JSON': async () =>
		await withTrigger({}, async ({ deliver }) => [
			await deliver(signedBytes('event_id=evt_1&event_type=crew.profile.updated', 'text/plain')),
		]),

	'Body that is not JSON, sent as `application/json`': async () =>
		await withTrigger({}, async ({ deliver }) => [await deliver(signedBytes('{"event_id":'))]),

	'Signed body that is not a JSON object, has no usable `event_id` (a string of 1 to 256 characters) or `event_type` (a dotted name), or a `data` that is not an object':
		async () =>
			await withTrigger({}, async ({ deliver, executions }) => {
				const bodies = [
					'[1, 2, 3]',
					JSON.stringify(envelope('crew.profile.updated', { event_id: '' })),
					JSON.stringify(envelope('crew.profile.updated', { event_id: 'e'.repeat(257) })),
					JSON.stringify(envelope('crew.profile.updated', { event_type: 'profile' })),
					JSON.stringify(envelope('crew.profile.updated', { data: ['not', 'an', 'object'] })),
				];
				const answers: DeliveryAnswer[] = [];
				for (const body of bodies) answers.push(await deliver(signedBytes(body)));
				check(executions().length === 0, 'no execution');
				return answers;
			}),

	'A signature that matches none of the secrets, past the re-reads of the credential such signatures may start (a forged flood: 5 at once, then one a second per trigger)':
		async () =>
			await withTrigger({}, async ({ deliver }) => {
				const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now()); // no refill
				try {
					check((await deliver(signedDelivery(envelope()))).status === 200, 'a genuine one first');
					const forged = signedDelivery(envelope(), { secret: 'whsec_attacker' });
					for (let i = 0; i < REREAD_BURST; i++) {
						check((await deliver(forged)).status === 401, 'refused on a re-read');
					}
					return [await deliver(forged), await deliver(forged)];
				} finally {
					clock.mockRestore();
				}
			}),

	'No webhook secret in the credential yet': async () =>
		await withTrigger({ credentials: { webhookSecret: '' } }, async ({ deliver }) => [
			await deliver(signedDelivery(envelope())),
		]),

	'An option value the node cannot use, or the credential cannot be read': async () => {
		const badOption = await withTrigger(
			{ options: { timestampToleranceSeconds: 0 } },
			async ({ deliver }) => [await deliver(signedDelivery(envelope()))],
		);
		const noCredential = await withTrigger({ credentials: null }, async ({ deliver }) => [
			await deliver(signedDelivery(envelope())),
		]);
		return {
			answers: [...badOption.answers, ...noCredential.answers],
			logLevels: [...new Set([...badOption.logLevels, ...noCredential.logLevels])],
		};
	},

	'Accepted, but n8n then fails to create the execution (its database or Redis unreachable)':
		async () =>
			await withTrigger({ failedExecutionStarts: 1 }, async ({ deliver, executions }) => {
				const delivery = signedDelivery(envelope());
				const answer = await deliver(delivery);
				const retry = await deliver(delivery);
				check(retry.status === 200 && retry.text === '', "CrewPass's retry is accepted");
				check(executions().length === 1, 'the retry starts the event');
				return [answer];
			}),
};
