// @ts-check
'use strict';
// HTTP plumbing shared by the API and control routes: one route table format and matcher, body
// reading and JSON parsing (FastAPI rules), answers, the error envelope, and the listening server.

const http = require('node:http');
const crypto = require('node:crypto');
const { SandboxError } = require('./control.cjs');

const MAX_BODY = 1024 * 1024;

/**
 * A route of the one table both surfaces use. `path` is a pattern such as
 * `/api/v2/employers/me/crew/:id/profile`; each `:name` matches one decoded path segment.
 * @typedef {object} Route
 * @property {string} method
 * @property {string} path
 * @property {'api' | 'control'} kind
 * @property {string} [name] API: the endpoint's short name in the request log (fleet, vessels, …)
 * @property {string} [scope] API: the partner scope the route needs
 * @property {boolean} [auth] API: false = no API key (file links)
 * @property {'raw' | 'json'} [body] read the body: raw bytes, or a JSON object (control: 422 otherwise)
 * @property {(ctx: RouteContext) => unknown} handler returns a Reply or a JSON value (200)
 */

/**
 * @typedef {object} RouteContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {URL} url
 * @property {Record<string, string>} params
 * @property {any} partner the authenticated partner (API routes with auth)
 * @property {Buffer | null} raw the raw body (body: 'raw')
 * @property {any} json the parsed body (body: 'json')
 */

/**
 * @typedef {object} CompiledRoute
 * @property {Route} route
 * @property {RegExp} re
 * @property {string[]} names
 */

/** An explicit answer from a handler (anything else a handler returns is a 200 JSON body). */
class Reply {
	/**
	 * @param {number} status
	 * @param {unknown} body a JSON value, or a Buffer sent as is
	 * @param {Record<string, string | number>} [headers]
	 */
	constructor(status, body, headers = {}) {
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

/**
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string | number>} [headers]
 */
function reply(status, body, headers) {
	return new Reply(status, body, headers);
}

/** @param {Route[]} routes */
function createRouter(routes) {
	/** @type {CompiledRoute[]} */
	const compiled = routes.map((route) => {
		/** @type {string[]} */
		const names = [];
		const source = route.path
			.split('/')
			.map((part) => {
				if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
				names.push(part.slice(1));
				return '([^/]+)';
			})
			.join('/');
		return { route, re: new RegExp(`^${source}$`), names };
	});
	/**
	 * @param {string} method
	 * @param {string} pathname
	 * @returns {{ route: Route, params: Record<string, string> } | { route: null, pathMatched: boolean }}
	 */
	function match(method, pathname) {
		let pathMatched = false;
		for (const c of compiled) {
			const m = c.re.exec(pathname);
			if (!m) continue;
			pathMatched = true;
			if (c.route.method !== method) continue;
			/** @type {Record<string, string>} */
			const params = {};
			c.names.forEach((n, i) => {
				params[n] = safeDecode(m[i + 1]);
			});
			return { route: c.route, params };
		}
		return { route: null, pathMatched };
	}
	return { match, routes };
}

/** @param {string} s */
function safeDecode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/**
 * FastAPI / pydantic v2 style validation error item.
 * @param {string} type
 * @param {(string | number)[]} loc
 * @param {string} msg
 * @param {unknown} input
 * @param {Record<string, unknown>} [ctx]
 */
function vErr(type, loc, msg, input, ctx) {
	/** @type {{ type: string, loc: (string | number)[], msg: string, input: unknown, ctx?: Record<string, unknown> }} */
	const e = { type, loc, msg, input };
	if (ctx) e.ctx = ctx;
	return e;
}

/**
 * Parse a JSON object body FastAPI-style: returns { value } or { errors }.
 * @param {Buffer} buf
 * @param {{ allowEmpty: boolean }} opts
 * @returns {{ value: Record<string, any>, errors?: undefined } | { errors: ReturnType<typeof vErr>[], value?: undefined }}
 */
function parseJson(buf, { allowEmpty }) {
	const text = buf.toString('utf8');
	if (!text.trim())
		return allowEmpty
			? { value: {} }
			: { errors: [vErr('missing', ['body'], 'Field required', null)] };
	let value;
	try {
		value = JSON.parse(text);
	} catch (e) {
		return {
			errors: [
				vErr(
					'json_invalid',
					['body', 0],
					'JSON decode error',
					{},
					{
						error: String(e instanceof Error ? e.message : e),
					},
				),
			],
		};
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		const msg = 'Input should be a valid dictionary or object to extract fields from';
		return { errors: [vErr('model_attributes_type', ['body'], msg, value)] };
	}
	return { value };
}

/** @param {import('node:http').IncomingMessage} req */
async function readBody(req) {
	/** @type {Buffer[]} */
	const chunks = [];
	let size = 0;
	for await (const c of req) {
		size += c.length;
		if (size > MAX_BODY)
			throw new SandboxError(413, 'payload_too_large', 'request body larger than 1 MB');
		chunks.push(c);
	}
	return Buffer.concat(chunks);
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body a JSON value, or a Buffer sent as is
 * @param {Record<string, string | number>} [headers]
 */
function send(res, status, body, headers = {}) {
	if (res.headersSent || res.destroyed) return;
	const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
	res.writeHead(status, {
		...(Buffer.isBuffer(body) ? {} : { 'Content-Type': 'application/json' }),
		'Content-Length': payload.length,
		...headers,
	});
	res.end(payload);
}

/**
 * Send whatever a handler returned.
 * @param {import('node:http').ServerResponse} res
 * @param {unknown} out
 */
function sendResult(res, out) {
	if (out instanceof Reply) send(res, out.status, out.body, out.headers);
	else send(res, 200, out);
}

/** @param {SandboxError} err */
function errorBody(err) {
	return { error: { code: err.code, message: err.message, ...(err.extra || {}) } };
}

/**
 * The CrewPass error envelope for a thrown error (500 internal_error for anything unexpected).
 * @param {import('node:http').ServerResponse} res
 * @param {unknown} err
 */
function sendError(res, err) {
	if (err instanceof SandboxError) {
		/** @type {Record<string, string>} */
		const headers = {};
		if (err.extra && err.extra.retry_after_seconds !== undefined)
			headers['Retry-After'] = String(Math.max(1, Math.ceil(err.extra.retry_after_seconds)));
		// the rest of an oversize body is never read: close, so the socket is not reused mid-body
		if (err.status === 413) headers.Connection = 'close';
		send(res, err.status, errorBody(err), headers);
	} else {
		const message = err instanceof Error ? err.message : String(err);
		send(res, 500, { error: { code: 'internal_error', message } });
	}
}

/**
 * `http://<Host header>` when it is a plain host[:port], else the listening address.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} port
 */
function requestOrigin(req, port) {
	const host =
		typeof req.headers.host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host)
			? req.headers.host
			: `127.0.0.1:${port}`;
	return `http://${host}`;
}

/**
 * Listen on 127.0.0.1 and hand every request to `handle` (with an X-Request-Id on each answer).
 * @param {number} port 0 = a free port
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>} handle
 */
async function listen(port, handle) {
	/** @type {Set<import('node:net').Socket>} */
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		res.setHeader('X-Request-Id', 'req_' + crypto.randomBytes(8).toString('hex'));
		handle(req, res).catch((err) => {
			if (!res.headersSent) sendError(res, err);
		});
	});
	server.keepAliveTimeout = 5000;
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve(undefined);
		});
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	/** @type {Promise<void> | null} */
	let closing = null;
	function close() {
		if (!closing)
			closing = new Promise((resolve) => {
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			});
		return closing;
	}
	return { port: address.port, close };
}

module.exports = {
	MAX_BODY,
	Reply,
	reply,
	createRouter,
	vErr,
	parseJson,
	readBody,
	send,
	sendResult,
	sendError,
	requestOrigin,
	listen,
};
