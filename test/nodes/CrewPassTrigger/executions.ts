import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, deepCopy } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IRun, WorkflowExecuteMode } from 'n8n-workflow';

import { additionalDataFor, harnessWorkflow, testCredentials } from '../../harness';
import type { TriggerHarness } from '../../harness/webhook';

/**
 * Runs the executions a TriggerHarness's deliveries started, one after the other, as n8n does:
 * the trigger's execute() runs inside each, on the workflow's static data as saved, and n8n
 * saves the static data when the execution ends if it changed (never for manual executions).
 * Returns each execution's trigger output.
 */
export async function runStartedExecutions(
	harness: TriggerHarness,
	options: { from?: number; to?: number; mode?: WorkflowExecuteMode } = {},
): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = [];
	const mode = options.mode ?? harness.mode;
	for (const workflowData of harness.executions.slice(options.from ?? 0, options.to)) {
		const { workflow, workflowData: saved } = harnessWorkflow(harness.node, {
			id: harness.options.workflowId ?? 'crewpass-trigger-workflow',
			active: mode !== 'manual',
			staticData: deepCopy(harness.persistedStaticData),
		});
		const hooks = new ExecutionLifecycleHooks(mode, 'harness-execution', saved);
		let resolveRun: (run: IRun) => void = () => {};
		const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
		hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
		const additionalData = additionalDataFor(
			{ crewPassApi: harness.options.credentials ?? testCredentials() },
			hooks,
		);
		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: harness.node, data: { main: workflowData }, source: null }],
			},
		});
		await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
			workflow,
		);
		const run = await finished;
		const task = run.data.resultData.runData[harness.node.name]?.[0];
		if (task?.error) throw task.error;
		outputs.push(task?.data?.main?.[0] ?? []);
		const changed = (workflow.staticData as { __dataChanged?: boolean }).__dataChanged === true;
		if (changed && mode !== 'manual') {
			harness.persistedStaticData = deepCopy(workflow.staticData as IDataObject);
		}
	}
	return outputs;
}
