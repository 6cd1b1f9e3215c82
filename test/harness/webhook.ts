/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a real HTTP server and client on 127.0.0.1 drive the trigger as n8n's webhook server does */
/**
 * Drives the CrewPass Trigger's webhook() the way n8n does: a real HTTP request on 127.0.0.1
 * reaches a real Node.js server, whose request/response pair is given the express features n8n
 * gives it (rawBody for JSON bodies, readRawBody(), res.status().json()), and webhook() runs in
 * n8n-core's own WebhookContext (credentials through the credentials helper, parameters resolved
 * by n8n, workflow static data through Workflow.getStaticData). What n8n does with the result is
 * reproduced from its webhook helpers: `noWebhookResponse` = the node answered; no workflowData =
 * 200 with webhookResponse; workflowData = an execution starts and (responseMode onReceived,
 * responseData noData) the caller gets 200 with an empty body.
 *
 * Static data is kept like n8n keeps it in its database: each request loads a fresh copy, and the
 * copy is saved afterwards only when it changed AND the request started no execution (n8n 2.20+
 * drops static data written on a path that starts one; set `saveStaticDataWhenExecutionStarts`
 * to model older versions). Test webhooks (mode 'manual') never save it.
 */
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, WebhookContext } from 'n8n-core';
import { deepCopy, sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IWebhookData,
	IWebhookResponseData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { CrewPassTrigger } from '../../nodes/CrewPassTrigger/CrewPassTrigger.node';
import {
	additionalDataFor,
	harnessWorkflow,
	nodeTypeRegistry,
	PACKAGE_NAME,
	testCredentials,
} from './index';

export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.crewPassTrigger`;
export const TRIGGER_NODE_NAME = 'CrewPass Trigger';

nodeTypeRegistry[TRIGGER_NODE_TYPE] = new CrewPassTrigger();

export interface TriggerHarnessOptions {
	parameters: INodeParameters;
	/** Decrypted crewPassApi data; defaults to testCredentials(); null = none can be read. */
	credentials?: ICredentialDataDecryptedObject | null;
	/** 'webhook' = the published workflow's Production URL; 'manual' = the Test URL. */
	mode?: WorkflowExecuteMode;
	workflowId?: string;
	nodeId?: string;
	/** Static data as saved in the "database" before the first request. */
	staticData?: IDataObject;
	saveStaticDataWhenExecutionStarts?: boolean;
	/**
	 * Up to this many ms (random) before each credential read resolves, as n8n's database read
	 * would take: makes concurrent webhook() calls interleave at their awaits.
	 */
	credentialReadJitterMs?: number;
	/**
	 * n8n takes this long (ms) between webhook() returning the event and answering CrewPass, as
	 * creating (or queueing) the execution does: copies arriving meanwhile see a pending hand-off.
	 */
	executionStartDelayMs?: number;
	/**
	 * The first this-many executions fail to start, as when n8n's database is busy: n8n answers
	 * 500 "There was a problem executing the workflow" and nothing runs.
	 */
	failedExecutionStarts?: number;
	/** The node's typeVersion (default 2, the current one). */
	typeVersion?: number;
}

export interface DeliveryAnswer {
	status: number;
	/** The body as text ('' when empty). */
	text: string;
	/** The body parsed as JSON, when it is JSON. */
	json?: IDataObject;
}

/** One webhook() call as the harness saw it. */
export interface WebhookCall {
	result?: IWebhookResponseData;
	threw?: unknown;
	/** Whether an execution would start (the node returned workflowData). */
	started: boolean;
	/** n8n failed to start the execution (failedExecutionStarts). */
	startFailed?: boolean;
	staticDataSaved: boolean;
}

type ExpressLikeResponse = ServerResponse & {
	status(code: number): ExpressLikeResponse;
	json(body: unknown): ExpressLikeResponse;
	send(body: unknown): ExpressLikeResponse;
};

function expressResponse(res: ServerResponse): ExpressLikeResponse {
	const out = res as ExpressLikeResponse;
	out.status = (code: number) => {
		out.statusCode = code;
		return out;
	};
	out.json = (body: unknown) => {
		if (!out.headersSent) out.setHeader('Content-Type', 'application/json; charset=utf-8');
		out.end(JSON.stringify(body));
		return out;
	};
	out.send = (body: unknown) => {
		if (typeof body === 'string' || Buffer.isBuffer(body)) out.end(body);
		else out.json(body);
		return out;
	};
	return out;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function isJsonContentType(value: string | undefined): boolean {
	return /^application\/([\w.+-]*\+)?json\b/i.test(value ?? '');
}

/** A published workflow holding one CrewPass Trigger, behind a real HTTP server. */
export class TriggerHarness {
	readonly node: INode;

	/** The workflow's static data as "saved in the database". */
	persistedStaticData: IDataObject;

	/** workflowData of every delivery that started an execution, in order. */
	readonly executions: INodeExecutionData[][][] = [];

	readonly calls: WebhookCall[] = [];

	/** Most webhook() calls that were in progress at the same moment. */
	maxInFlight = 0;

	private inFlight = 0;

	private failedStarts = 0;

	private server?: Server;

	private agent = new Agent({ keepAlive: true, maxSockets: 256 });

	url = '';

	constructor(readonly options: TriggerHarnessOptions) {
		this.node = {
			id: options.nodeId ?? 'crewpass-trigger-node',
			name: TRIGGER_NODE_NAME,
			type: TRIGGER_NODE_TYPE,
			typeVersion: options.typeVersion ?? 2,
			position: [0, 0],
			parameters: options.parameters,
			credentials: { crewPassApi: { id: '1', name: 'CrewPass account' } },
			webhookId: 'd9b1c6a2-4c1e-4b8e-9a57-crewpass0001',
		};
		this.persistedStaticData = deepCopy(options.staticData ?? {});
	}

	get mode(): WorkflowExecuteMode {
		return this.options.mode ?? 'webhook';
	}

	async start(): Promise<string> {
		this.server = createServer((req, res) => {
			void this.handle(req, expressResponse(res));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		const { port } = this.server.address() as AddressInfo;
		const prefix = this.mode === 'manual' ? 'webhook-test' : 'webhook';
		this.url = `http://127.0.0.1:${port}/${prefix}/${this.node.webhookId}/crewpass`;
		return this.url;
	}

	async stop(): Promise<void> {
		this.agent.destroy();
		if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
	}

	/** What n8n's webhook server does with one request. */
	private async handle(incoming: IncomingMessage, res: ExpressLikeResponse): Promise<void> {
		const bytes = await readAll(incoming);
		const contentType = incoming.headers['content-type'];
		const req = incoming as IncomingMessage & {
			rawBody?: Buffer;
			body?: unknown;
			readRawBody: () => Promise<void>;
			params: IDataObject;
			query: IDataObject;
			contentType?: string;
		};
		req.params = {};
		req.query = {};
		req.contentType = contentType?.split(';')[0];
		req.readRawBody = async () => {
			req.rawBody = bytes;
		};
		if (isJsonContentType(contentType)) {
			// n8n parses JSON bodies before the node runs and answers 422 on invalid JSON.
			req.rawBody = bytes;
			try {
				req.body = bytes.length ? (JSON.parse(bytes.toString('utf8')) as unknown) : {};
			} catch {
				res.status(422).json({ message: 'Failed to parse request body' });
				return;
			}
		} else {
			req.body = {};
		}

		const { workflow, workflowData } = harnessWorkflow(this.node, {
			id: this.options.workflowId ?? 'crewpass-trigger-workflow',
			active: this.mode !== 'manual',
			staticData: deepCopy(this.persistedStaticData),
		});
		const hooks = new ExecutionLifecycleHooks(this.mode, 'webhook-call', workflowData);
		const additionalData = additionalDataFor(
			this.options.credentials === null
				? {}
				: { crewPassApi: this.options.credentials ?? testCredentials() },
			hooks,
		);
		const jitter = this.options.credentialReadJitterMs ?? 0;
		if (jitter > 0) {
			const helper = additionalData.credentialsHelper;
			const getDecrypted = helper.getDecrypted.bind(helper);
			helper.getDecrypted = async (...args: Parameters<typeof getDecrypted>) => {
				await sleep(Math.floor(Math.random() * jitter));
				return await getDecrypted(...args);
			};
		}
		additionalData.httpRequest = req as never;
		additionalData.httpResponse = res as never;
		const nodeType = workflow.nodeTypes.getByNameAndVersion(
			TRIGGER_NODE_TYPE,
			this.node.typeVersion,
		);
		const webhookDescription = nodeType.description.webhooks![0];
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/crewpass`,
			webhookDescription,
			workflowId: workflowData.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
			isTest: this.mode === 'manual',
		};
		const context = new WebhookContext(
			workflow,
			this.node,
			additionalData,
			this.mode,
			webhookData,
			[],
			null,
		);

		const call: WebhookCall = { started: false, staticDataSaved: false };
		this.calls.push(call);
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			call.result = await nodeType.webhook!.call(context);
		} catch (error) {
			// n8n answers 500 with the error and records a failed execution.
			call.threw = error;
			if (!res.headersSent) res.status(500).json({ message: 'Error in workflow' });
			return;
		} finally {
			this.inFlight--;
		}
		const result = call.result;
		if (result.workflowData !== undefined) {
			if (this.options.executionStartDelayMs) await sleep(this.options.executionStartDelayMs);
			if (this.failedStarts < (this.options.failedExecutionStarts ?? 0)) {
				this.failedStarts++;
				call.startFailed = true;
				res.status(500).json({ code: 0, message: 'There was a problem executing the workflow' });
				return;
			}
			call.started = true;
			this.executions.push(result.workflowData);
			if (!res.headersSent) res.status(200).end(); // responseData: 'noData'
		} else if (result.noWebhookResponse !== true && !res.headersSent) {
			res
				.status(200)
				.json(
					result.webhookResponse !== undefined
						? result.webhookResponse
						: { message: 'Webhook call received' },
				);
		}
		const changed = (workflow.staticData as { __dataChanged?: boolean }).__dataChanged === true;
		const saves =
			this.mode !== 'manual' &&
			changed &&
			(!call.started || this.options.saveStaticDataWhenExecutionStarts === true);
		if (saves) {
			this.persistedStaticData = deepCopy(workflow.staticData as IDataObject);
			call.staticDataSaved = true;
		}
	}

	/** POSTs one delivery over HTTP and returns CrewPass's view of the answer. */
	async deliver(
		body: Buffer | string,
		headers: Record<string, string>,
		{ timeoutMs }: { timeoutMs?: number } = {},
	): Promise<DeliveryAnswer> {
		const payload = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
		const target = new URL(this.url);
		return await new Promise<DeliveryAnswer>((resolve, reject) => {
			const req = httpRequest(
				{
					host: target.hostname,
					port: target.port,
					path: target.pathname,
					method: 'POST',
					agent: this.agent,
					headers: { 'Content-Length': String(payload.length), ...headers },
				},
				(res) => {
					void readAll(res).then((bytes) => {
						const text = bytes.toString('utf8');
						let json: IDataObject | undefined;
						try {
							json = text ? (JSON.parse(text) as IDataObject) : undefined;
						} catch {
							json = undefined;
						}
						resolve({ status: res.statusCode ?? 0, text, json });
					}, reject);
				},
			);
			if (timeoutMs !== undefined) {
				// CrewPass (or a proxy in front of n8n) gives up: the connection closes unanswered.
				req.setTimeout(timeoutMs, () => {
					req.destroy();
					resolve({ status: 0, text: '' });
				});
			}
			req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
			req.end(payload);
		});
	}
}
