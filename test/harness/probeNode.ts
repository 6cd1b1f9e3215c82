import { NodeConnectionTypes, sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { router } from '../../nodes/CrewPass/actions/router';
import {
	CREDENTIAL_NAME,
	crewPassPages,
	crewPassPaginate,
	crewPassRequest,
} from '../../nodes/CrewPass/transport';
import type { CrewPassResource } from '../../nodes/CrewPass/actions/types';
import { nodeTypeRegistry, PACKAGE_NAME } from './index';

/**
 * A test-only node that drives the transport directly (a request or a pagination walk) from a
 * real n8n execute context, through the real router, so the transport is tested as operations
 * use it.
 */
const PROBE_TOOL_BOUND = { what: 'items', narrow: 'a smaller Limit' };

/**
 * What the `walk` operation did, in order ("took page N", "done with page N"), for tests to put
 * beside the requests their server saw.
 */
export const walkLog: string[] = [];

const probe: CrewPassResource = {
	description: [],
	operations: {
		request: {
			description: [],
			toolBound: PROBE_TOOL_BOUND,
			async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
				const path = this.getNodeParameter('path', itemIndex) as string[];
				const body = await crewPassRequest(this, { path, itemIndex });
				return [{ json: body }];
			},
		},
		walk: {
			description: [],
			toolBound: PROBE_TOOL_BOUND,
			/** Walks the roster's pages, 50 ms of (awaited) work on each, as a caller of the pager. */
			async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
				const readAhead = this.getNodeParameter('readAhead', itemIndex, false) as boolean;
				const stopAfter = this.getNodeParameter('stopAfter', itemIndex, 0) as number;
				let pages = 0;
				for await (const page of crewPassPages(this, {
					path: ['employers', 'me', 'fleet'],
					readAhead,
					itemIndex,
				})) {
					pages++;
					walkLog.push(`took page ${pages} (${page.items.length} rows)`);
					await sleep(50);
					walkLog.push(`done with page ${pages}`);
					if (pages === stopAfter) break;
				}
				return [{ json: { pages } }];
			},
		},
		paginate: {
			description: [],
			toolBound: PROBE_TOOL_BOUND,
			async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
				const limit = this.getNodeParameter('limit', itemIndex, 0) as number;
				const pageSize = this.getNodeParameter('pageSize', itemIndex, 200) as number;
				const items = await crewPassPaginate(this, {
					path: ['employers', 'me', 'fleet'],
					limit: limit > 0 ? limit : undefined,
					pageSize,
					itemIndex,
				});
				return items.map((json: IDataObject) => ({ json }));
			},
		},
	},
};

export const PROBE_NODE_TYPE = `${PACKAGE_NAME}.transportProbe`;

class TransportProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'Test-only',
		usableAsTool: true,
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: [
			{ displayName: 'Resource', name: 'resource', type: 'hidden', default: 'probe' },
			{ displayName: 'Operation', name: 'operation', type: 'hidden', default: 'request' },
			{ displayName: 'Path', name: 'path', type: 'json', default: '[]' },
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 0 },
			{ displayName: 'Page Size', name: 'pageSize', type: 'number', default: 200 },
			{ displayName: 'Read Ahead', name: 'readAhead', type: 'boolean', default: false },
			{ displayName: 'Stop After', name: 'stopAfter', type: 'number', default: 0 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this, { probe });
	}
}

nodeTypeRegistry[PROBE_NODE_TYPE] = new TransportProbe();
