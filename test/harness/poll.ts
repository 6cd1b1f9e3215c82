/**
 * Runs the CrewPass Polling Trigger's poll() through real n8n-core (PollContext and
 * TriggersAndPollers.runPollFunction), with the static-data rules of each scheduler n8n 2.41 ships
 * (read in n8n's published packages; ../shared/notes/n8n-platform-facts.md):
 *
 * - 'default' (n8n's cron scheduler): one live static-data object per activation; saved when a
 *   poll emits and after the activation poll; read back from the saved JSON after a restart;
 *   getPollBudgetMs() is n8n-core's 300,000 ms. Never saved for a manual run.
 * - 'durable' (N8N_SCHEDULER_ENABLED + N8N_SCHEDULER_POLL_TRIGGERS_ENABLED): every tick rebuilds
 *   the workflow, and its static data, from the database; saved only when the poll emits. A tick
 *   gets getPollBudgetMs() = the fenced budget and is abandoned past its timeout: the result is
 *   dropped, nothing is saved, and the poll runs on unheard. The activation poll (first publish)
 *   runs on the activation's workflow, saved after it; a restart runs no activation poll.
 * - 'cursors' (+ N8N_POLLER_DURABLE_CURSORS_ENABLED): every poll gets a deep copy of the stored
 *   cursor (seeded from the static data), saved with the execution it starts or alone when it
 *   returns null; the activation poll runs as a test whose cursor is committed only if it emits.
 */
import { ExecutionLifecycleHooks, PollContext, TriggersAndPollers } from 'n8n-core';
import { sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	Workflow,
} from 'n8n-workflow';

import { CrewPassPollingTrigger } from '../../nodes/CrewPassPollingTrigger/CrewPassPollingTrigger.node';
import { forgetAll } from '../../nodes/CrewPassPollingTrigger/overlap';
import {
	additionalDataFor,
	harnessNode,
	harnessWorkflow,
	nodeTypeRegistry,
	PACKAGE_NAME,
	testCredentials,
} from './index';

export const POLLING_TRIGGER_TYPE = `${PACKAGE_NAME}.crewPassPollingTrigger`;
nodeTypeRegistry[POLLING_TRIGGER_TYPE] = new CrewPassPollingTrigger();

export type SchedulerMode = 'default' | 'durable' | 'cursors';

export interface SchedulerOptions {
	scheduler?: SchedulerMode;
	/** A durable tick's getPollBudgetMs() (n8n: the poll timeout less min(max(20 %, 5 s), half)). */
	budgetMs?: number;
	/** A durable tick is abandoned after this long (N8N_SCHEDULER_POLL_TIMEOUT). */
	timeoutMs?: number;
	/** The timer the abandonment waits on (a test's injected clock); real time by default. */
	wait?: (ms: number) => Promise<void>;
	/** The clock of `wait`: a poll that ends past the timeout on it was abandoned all the same. */
	now?: () => number;
	/**
	 * A reporting poll's state reaches the database only at flushSaves() (n8n saves it without
	 * waiting: the next tick may load the state before it).
	 */
	lateSaves?: boolean;
}

export interface PollOutcome {
	/** The items the poll emitted (empty when it returned null or was abandoned). */
	items: IDataObject[];
	/** Whether poll() returned non-null and n8n took the result (an execution starts). */
	emitted: boolean;
	error?: Error;
	/** The durable scheduler gave up on the poll (past its timeout): its result is dropped. */
	abandoned?: boolean;
	/** For an abandoned poll: what it returned in the end (dropped by n8n). */
	late?: Promise<PollOutcome>;
}

let workflowCount = 0;

/** One workflow with the polling trigger, as n8n would keep it: a saved row and a live process. */
export class PollingWorkflow {
	/** The workflow's static data as n8n last saved it to its database (JSON text). */
	saved: string | undefined;
	/** Durable cursors: the poller_state row (the node's static data, JSON text). */
	cursor: string | undefined;
	/** Every item n8n took from an emitting poll, in order (what the workflow received). */
	delivered: IDataObject[] = [];
	/** Every save n8n would have made, in order. */
	saves = 0;
	/** Saves of reporting polls not in the database yet (lateSaves). */
	private pending: Array<() => void> = [];
	readonly id = `harness-poll-${++workflowCount}`;
	readonly scheduler: SchedulerMode;
	private workflow!: Workflow;
	private node: INode;
	/** The next poll is the activation poll. */
	private activating = true;

	constructor(
		parameters: INodeParameters,
		private credentials: ICredentialDataDecryptedObject = testCredentials(),
		public options: SchedulerOptions = {},
	) {
		this.scheduler = options.scheduler ?? 'default';
		this.node = harnessNode(parameters, {
			type: POLLING_TRIGGER_TYPE,
			name: 'CrewPass Polling Trigger',
		});
		this.start();
	}

	/** The live workflow is built from the saved row (n8n start, a durable tick). */
	private build(): Workflow {
		const staticData =
			this.saved === undefined ? undefined : (JSON.parse(this.saved) as IDataObject);
		return harnessWorkflow(this.node, { id: this.id, active: true, staticData }).workflow;
	}

	/** n8n (re)starts: the live workflow is rebuilt from the saved row. */
	start(): void {
		this.workflow = this.build();
	}

	/**
	 * n8n restarts between polls: whatever was not saved is gone. The default scheduler polls on
	 * activation again; the durable scheduler's job survives, so its next poll is a plain tick.
	 */
	restart(): void {
		forgetAll(); // the process's memory (leases, progress) is gone with it
		this.start();
		this.activating = this.scheduler === 'default';
	}

	/** Changes a parameter in place (like editing the workflow and saving it). */
	setParameters(parameters: INodeParameters): void {
		this.node.parameters = parameters;
		this.workflow.getNode(this.node.name)!.parameters = parameters;
	}

	/** The node's static data object as the live workflow holds it. */
	nodeStaticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	private context(
		workflow: Workflow,
		mode: 'trigger' | 'manual',
		durable: { staticData?: IDataObject; budgetMs?: number },
	) {
		const hooks = new ExecutionLifecycleHooks(mode, 'poll', {
			id: this.id,
			nodes: [this.node],
		} as never);
		const additionalData = additionalDataFor({ crewPassApi: this.credentials }, hooks);
		const staticData = durable.staticData;
		const budgetMs = durable.budgetMs;
		return new PollContext(
			workflow,
			this.node,
			additionalData,
			mode,
			'activate',
			undefined,
			undefined,
			undefined,
			undefined,
			staticData ? () => staticData : undefined,
			budgetMs === undefined ? undefined : () => budgetMs,
		);
	}

	/** n8n's WorkflowStaticDataService.saveStaticData: only when the data changed. */
	private save(workflow: Workflow): void {
		const data = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (data.__dataChanged !== true) return;
		data.__dataChanged = false;
		this.saved = JSON.stringify(data);
		this.saves++;
	}

	/** The saves n8n had not finished reach the database (lateSaves). */
	flushSaves(): void {
		for (const save of this.pending.splice(0)) save();
	}

	/** Starts a poll; resolves when it ends (or is abandoned), applying n8n's save rules. */
	async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<PollOutcome> {
		const activation = mode === 'trigger' && this.activating;
		if (mode === 'trigger') this.activating = false;
		if (mode === 'manual' || this.scheduler === 'default') {
			return await this.defaultPoll(mode, activation);
		}
		return await this.durablePoll(activation);
	}

	private async run(
		workflow: Workflow,
		ctx: PollContext,
	): Promise<{ result: INodeExecutionData[][] | null; error?: Error }> {
		try {
			const result = await new TriggersAndPollers().runPollFunction(workflow, this.node, ctx);
			return { result };
		} catch (error) {
			return { result: null, error: error as Error };
		}
	}

	private outcome(result: INodeExecutionData[][] | null, error?: Error): PollOutcome {
		const items = (result?.[0] ?? []).map((item) => item.json);
		const outcome: PollOutcome = { items, emitted: result !== null };
		if (error) outcome.error = error;
		return outcome;
	}

	private async defaultPoll(mode: 'trigger' | 'manual', activation: boolean) {
		const workflow = this.workflow;
		const { result, error } = await this.run(workflow, this.context(workflow, mode, {}));
		if (mode === 'trigger' && (result !== null || activation)) this.save(workflow);
		if (mode === 'trigger' && result !== null) this.delivered.push(...this.outcome(result).items);
		return this.outcome(result, error);
	}

	private async durablePoll(activation: boolean): Promise<PollOutcome> {
		const cursors = this.scheduler === 'cursors';
		// The activation poll runs on the activation's workflow; a tick on one built from the database.
		const workflow = activation ? this.workflow : this.build();
		if (!activation) this.workflow = workflow;
		const seed = cursors
			? (this.cursor ?? JSON.stringify(workflow.getStaticData('node', this.node)))
			: undefined;
		const copy = seed === undefined ? undefined : (JSON.parse(seed) as IDataObject);
		const ctx = this.context(workflow, 'trigger', {
			staticData: copy,
			budgetMs: activation ? undefined : (this.options.budgetMs ?? 36_000),
		});
		const running = this.run(workflow, ctx);
		const finish = ({ result, error }: Awaited<typeof running>): PollOutcome => {
			if (result !== null && !error) {
				const cursor = JSON.stringify(copy);
				const save = () => (cursors ? (this.cursor = cursor) : this.save(workflow));
				if (this.options.lateSaves) this.pending.push(save);
				else save();
				this.delivered.push(...this.outcome(result).items);
			} else if (!error && cursors && !activation && JSON.stringify(copy) !== seed) {
				this.cursor = JSON.stringify(copy); // committed alone
			}
			if (activation && !cursors) this.save(workflow);
			return this.outcome(result, error);
		};
		const timeoutMs = activation ? undefined : this.options.timeoutMs;
		if (timeoutMs === undefined) return finish(await running);
		const wait = this.options.wait ?? (async (ms: number) => await sleep(ms));
		const now = this.options.now ?? Date.now;
		const startedAt = now();
		const timedOut = Symbol('timed out');
		const raced = await Promise.race([running, wait(timeoutMs).then(() => timedOut)]);
		if (raced !== timedOut && now() - startedAt <= timeoutMs)
			return finish(raced as Awaited<typeof running>);
		const late = running.then(({ result, error }) => this.outcome(result, error));
		return { items: [], emitted: false, abandoned: true, late };
	}
}
