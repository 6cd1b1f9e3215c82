import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Items the fan-out operations give an AI agent at most (Check Fleet, Download All). */
export const TOOL_MAX_ITEMS = 50;

/** Said on every file item an agent gets: the bytes are not for its context. */
export const TOOL_FILE_NOTE =
	'Run as an AI agent tool, the node gives the file details only, not the file: use the CrewPass node in a workflow to download it.';

/**
 * Whether the node runs as an AI agent tool: n8n registers the tool variant as `crewPassTool`
 * (the type name with "Tool" appended, n8n's convertNodeToAiTool).
 */
export function runsAsTool(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * At most TOOL_MAX_ITEMS items, then one note item saying the output was cut and how many there
 * were (so an agent neither floods its context nor takes a partial list for the whole). `total`
 * is how many there were when `items` holds only the first ones.
 */
export function boundForTool(
	items: INodeExecutionData[],
	what: string,
	total = items.length,
): INodeExecutionData[] {
	if (total <= TOOL_MAX_ITEMS) return items;
	const note: IDataObject = {
		truncated: true,
		items_returned: TOOL_MAX_ITEMS,
		items_total: total,
		note: `Output limited to the first ${TOOL_MAX_ITEMS} of ${total} ${what} because the node runs as an AI agent tool. Narrow the request (vessels, filters, Only Those Needing Attention) or use the CrewPass node in a workflow for all of them.`,
	};
	return [...items.slice(0, TOOL_MAX_ITEMS), { json: note }];
}
