/**
 * Runs the CrewPass Polling Trigger's poll() through real n8n-core (PollContext and
 * TriggersAndPollers.runPollFunction), with n8n's rules for its static data: saved only when a
 * poll emits (and after the activation poll), read back from the saved JSON after a restart,
 * never saved for a manual run.
 */
import { ExecutionLifecycleHooks, PollContext, TriggersAndPollers } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	Workflow,
} from 'n8n-workflow';

import { CrewPassPollingTrigger } from '../../nodes/CrewPassPollingTrigger/CrewPassPollingTrigger.node';
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

export interface PollOutcome {
	/** The items the poll emitted (empty when it returned null). */
	items: IDataObject[];
	/** Whether poll() returned non-null (n8n starts an execution and saves static data). */
	emitted: boolean;
	error?: Error;
}

/** One workflow with the polling trigger, as n8n would keep it: a saved row and a live process. */
export class PollingWorkflow {
	/** The workflow's static data as n8n last saved it to its database (JSON text). */
	saved: string | undefined;
	private workflow!: Workflow;
	private node: INode;
	private activated = false;
	/** Every save n8n would have made, in order. */
	saves = 0;

	constructor(
		parameters: INodeParameters,
		private credentials: ICredentialDataDecryptedObject = testCredentials(),
	) {
		this.node = harnessNode(parameters, {
			type: POLLING_TRIGGER_TYPE,
			name: 'CrewPass Polling Trigger',
		});
		this.start();
	}

	/** n8n (re)starts: the live workflow is rebuilt from the saved row. */
	start(): void {
		const staticData =
			this.saved === undefined ? undefined : (JSON.parse(this.saved) as IDataObject);
		this.workflow = harnessWorkflow(this.node, { active: true, staticData }).workflow;
		this.activated = false;
	}

	/** n8n restarts between polls: whatever was not saved is gone. */
	restart(): void {
		this.start();
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

	private context(mode: 'trigger' | 'manual') {
		const hooks = new ExecutionLifecycleHooks(mode, 'poll', {
			id: 'harness',
			nodes: [this.node],
		} as never);
		const additionalData = additionalDataFor({ crewPassApi: this.credentials }, hooks);
		return new PollContext(
			this.workflow,
			this.node,
			additionalData,
			mode,
			'activate',
		);
	}

	private save(): void {
		const data = this.workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (data.__dataChanged !== true) return;
		data.__dataChanged = false;
		this.saved = JSON.stringify(data);
		this.saves++;
	}

	/** Starts a poll; resolves when it ends, applying n8n's save rules. */
	async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<PollOutcome> {
		const ctx = this.context(mode);
		const activation = !this.activated;
		this.activated = true;
		let result: INodeExecutionData[][] | null;
		try {
			result = await new TriggersAndPollers().runPollFunction(this.workflow, this.node, ctx);
		} catch (error) {
			if (activation && mode === 'trigger') this.save();
			return { items: [], emitted: false, error: error as Error };
		}
		if (mode === 'trigger' && (result !== null || activation)) this.save();
		return { items: (result?.[0] ?? []).map((item) => item.json), emitted: result !== null };
	}
}
