// The generated tables of README.md and docs/*.md, made from the built node descriptions (dist/,
// after `npm run build`). `npm run docs` (scripts/docs.mjs) writes them between the markers
//   <!-- BEGIN generated: <name> -->
//   <!-- END generated: <name> -->
// and test/readme.test.ts fails when a block differs from what the built nodes give. A .cjs
// module because the jest tests (TypeScript) may not use node:fs or node:path (n8n's lint rules).
'use strict';

const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** Blocks another generator fills (`npm run test:compat`): left as they are here. */
const OTHER_GENERATORS = ['compatibility'];

/** Every block this module generates, by name. */
const NAMES = [
	'crewpass-operations',
	'crewpass-parameters',
	'crewpass-trigger-events',
	'crewpass-trigger-options',
	'polling-trigger-on',
	'polling-trigger-options',
];

/** The change sources of the polling trigger (changes.ts) as the "Read each poll" column says them. */
const READ_CELL = {
	roster: 'roster: 1 request per 200 rows',
	vessels: 'roster + vessels: 1 more request',
	compliance: 'roster + 1 compliance check per roster row',
	documents: 'roster + 1 document list per crew member',
};

/** The descriptions of the built nodes, and the polling trigger's change kinds. */
function loadBuilt(root = ROOT) {
	const dist = (file) => require(path.join(root, 'dist', file));
	const { CrewPass } = dist('nodes/CrewPass/CrewPass.node.js');
	const { CrewPassTrigger } = dist('nodes/CrewPassTrigger/CrewPassTrigger.node.js');
	const { CrewPassPollingTrigger } = dist(
		'nodes/CrewPassPollingTrigger/CrewPassPollingTrigger.node.js',
	);
	const { CHANGE_KINDS } = dist('nodes/CrewPassPollingTrigger/changes.js');
	return {
		crewPass: new CrewPass().description,
		trigger: new CrewPassTrigger().description,
		polling: new CrewPassPollingTrigger().description,
		changeKinds: CHANGE_KINDS,
	};
}

// ---- cells -----------------------------------------------------------------------------------

/** Text safe in a table cell: no pipes, no line breaks. */
function cell(text) {
	return String(text)
		.replace(/\|/g, '\\|')
		.replace(/\s*\n\s*/g, ' ')
		.trim();
}

function table(header, rows) {
	const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
	for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
	return lines.join('\n');
}

const choiceName = (property, value) =>
	(property.options ?? []).find((c) => c.value === value)?.name ?? String(value);

/** A property's default as a reader sees it in the node. */
function defaultText(property) {
	const value = property.default;
	switch (property.type) {
		case 'boolean':
			return value ? 'on' : 'off';
		case 'number':
			return Number(value).toLocaleString('en-US');
		case 'options':
			return choiceName(property, value);
		case 'multiOptions': {
			const values = Array.isArray(value) ? value : [];
			if (!values.length) return 'none';
			const all = (property.options ?? []).map((c) => c.value);
			if (all.length && all.every((v) => values.includes(v))) return `all ${all.length}`;
			return (property.options ?? [])
				.filter((c) => values.includes(c.value))
				.map((c) => c.name)
				.join(', ');
		}
		case 'resourceLocator':
			return property.required ? 'none (required)' : 'empty (optional)';
		case 'string':
			if (value === '') return property.required ? 'none (required)' : 'empty';
			return `\`${value}\``;
		default:
			return value === '' || value === undefined ? 'empty' : `\`${JSON.stringify(value)}\``;
	}
}

/** What a property accepts: a number range, the choices, or the resource locator's modes. */
function rangeText(property) {
	const t = property.typeOptions ?? {};
	if (property.type === 'number') {
		if (t.minValue !== undefined && t.maxValue !== undefined) return `${t.minValue}–${t.maxValue}`;
		if (t.minValue !== undefined) return `${t.minValue} or more`;
		return 'any number';
	}
	if (t.loadOptionsMethod) return 'your vessels (read from CrewPass)';
	if (property.type === 'options' || property.type === 'multiOptions') {
		return (property.options ?? []).map((c) => c.name).join(', ');
	}
	if (property.type === 'resourceLocator') {
		return (property.modes ?? []).map((m) => m.displayName).join(', ');
	}
	if (property.type === 'boolean') return 'on, off';
	return 'text';
}

/** "(shown with Return All off)" from the displayOptions beyond resource and operation. */
function shownWhen(property, siblings) {
	const show = { ...(property.displayOptions?.show ?? {}) };
	delete show.resource;
	delete show.operation;
	const parts = [];
	for (const [name, values] of Object.entries(show)) {
		if (name === '@tool') {
			parts.push('only on the AI agent tool');
			continue;
		}
		const other = siblings.find((p) => p.name === name);
		const label = other?.displayName ?? name;
		const said = values.map((v) =>
			typeof v === 'boolean' ? (v ? 'on' : 'off') : other ? choiceName(other, v) : String(v),
		);
		parts.push(`with ${label} ${said.join(' or ')}`);
	}
	return parts.join(', ');
}

/** A description without the node's trailing "(event.type)" remark. */
function withoutEventType(description, eventType) {
	return String(description ?? '')
		.replace(new RegExp(`\\s*\\(${eventType.replace(/\./g, '\\.')}\\)$`), '')
		.replace(new RegExp(`\\(${eventType.replace(/\./g, '\\.')}; `), '(');
}

// ---- the CrewPass node -----------------------------------------------------------------------

function operationsOf(description) {
	const resource = description.properties.find((p) => p.name === 'resource');
	return (resource.options ?? []).flatMap((r) => {
		const operation = description.properties.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(r.value),
		);
		return (operation?.options ?? []).map((o) => ({ resource: r, operation: o }));
	});
}

function crewPassOperations({ crewPass }) {
	const rows = operationsOf(crewPass).map(({ resource, operation }) => [
		resource.name,
		operation.name,
		`\`${resource.value}\` / \`${operation.value}\``,
		operation.description ?? '',
	]);
	return table(
		['Resource', 'Operation', '`resource` / `operation` in workflow JSON', 'What it does'],
		rows,
	);
}

/** The parameters of one operation, collections expanded into their options. */
function parametersOf(description, resource, operation) {
	const own = description.properties.filter(
		(p) =>
			p.displayOptions?.show?.resource?.includes(resource) &&
			p.displayOptions?.show?.operation?.includes(operation) &&
			!['resource', 'operation'].includes(p.name) &&
			p.type !== 'notice',
	);
	const out = [];
	for (const p of own) {
		const when = shownWhen(p, own);
		if (p.type === 'collection') {
			for (const option of p.options ?? []) {
				out.push({ label: `${p.displayName} → ${option.displayName}`, property: option, when });
			}
		} else out.push({ label: p.displayName, property: p, when });
	}
	return out;
}

function crewPassParameters({ crewPass }) {
	// Parameters that read the same in several operations share one row.
	const rows = new Map();
	for (const { resource, operation } of operationsOf(crewPass)) {
		const where = `${resource.name} → ${operation.name}`;
		for (const { label, property, when } of parametersOf(
			crewPass,
			resource.value,
			operation.value,
		)) {
			const parameter = when ? `${label} (${when})` : label;
			const key = JSON.stringify([parameter, defaultText(property), rangeText(property)]);
			const row = rows.get(key);
			if (row) row.where.push(where);
			else rows.set(key, { where: [where], parameter, property });
		}
	}
	const body = [...rows.values()].map(({ where, parameter, property }) => [
		where.join('; '),
		parameter,
		defaultText(property),
		rangeText(property),
	]);
	const none = operationsOf(crewPass)
		.filter(
			({ resource, operation }) => !parametersOf(crewPass, resource.value, operation.value).length,
		)
		.map(({ resource, operation }) => `${resource.name} → ${operation.name}`);
	return [
		'A **Filters** entry applies only once you add it, starting at the default shown; an ' +
			'**Options** entry you do not add works as its default.',
		'',
		table(['Operation', 'Parameter', 'Default', 'Range or choices'], body),
		'',
		`Without parameters: ${none.join(', ')}.`,
	].join('\n');
}

// ---- the CrewPass Trigger --------------------------------------------------------------------

function triggerEvents({ trigger }) {
	const events = trigger.properties.find((p) => p.name === 'events');
	const selected = Array.isArray(events.default) ? events.default : [];
	const rows = (events.options ?? []).map((o) => [
		o.name,
		`\`${o.value}\``,
		selected.includes(o.value) ? 'yes' : 'no',
		withoutEventType(o.description, String(o.value)),
	]);
	return table(
		[events.displayName, '`event_type`', 'Selected by default', 'Starts the workflow when'],
		rows,
	);
}

function optionsTable(description, lead) {
	const options = description.properties.find((p) => p.name === 'options');
	const rows = (options.options ?? []).map((o) => [
		o.displayName,
		defaultText(o),
		rangeText(o),
		o.description ??
			(o.options ?? []).map((c) => `**${c.name}**: ${c.description ?? ''}`).join('; '),
	]);
	return [lead, '', table(['Option', 'Default', 'Range or choices', 'What it does'], rows)].join(
		'\n',
	);
}

function triggerOptions({ trigger }) {
	return optionsTable(
		trigger,
		'Under **Options** (Add Option); an option not added works as its default.',
	);
}

// ---- the CrewPass Polling Trigger ------------------------------------------------------------

function pollingTriggerOn({ polling, changeKinds }) {
	const events = polling.properties.find((p) => p.name === 'events');
	const selected = Array.isArray(events.default) ? events.default : [];
	const rows = (events.options ?? []).map((o) => {
		const kind = changeKinds[o.value];
		if (!kind) throw new Error(`Trigger On value ${o.value} has no change kind in changes.js`);
		return [
			o.name,
			`\`${kind.eventType}\``,
			READ_CELL[kind.source] ?? kind.source,
			selected.includes(o.value) ? 'yes' : 'no',
			withoutEventType(o.description, kind.eventType),
		];
	});
	return table(
		[events.displayName, '`event_type`', 'Read each poll', 'Selected by default', 'Reports'],
		rows,
	);
}

function pollingTriggerOptions({ polling }) {
	return optionsTable(
		polling,
		'Under **Options** (Add Option); an option not added works as its default. n8n adds **Poll Times** itself (every minute unless you change it).',
	);
}

const RENDER = {
	'crewpass-operations': crewPassOperations,
	'crewpass-parameters': crewPassParameters,
	'crewpass-trigger-events': triggerEvents,
	'crewpass-trigger-options': triggerOptions,
	'polling-trigger-on': pollingTriggerOn,
	'polling-trigger-options': pollingTriggerOptions,
};

/** Every generated block, by name, from the built descriptions. */
function renderBlocks(built = loadBuilt()) {
	return Object.fromEntries(NAMES.map((name) => [name, RENDER[name](built)]));
}

// ---- markers ---------------------------------------------------------------------------------

const MARKER = /<!-- (BEGIN|END) generated: ([a-z0-9-]+) -->/g;

/**
 * The generated blocks of a Markdown text, in order: name and the text between the markers
 * (without the newlines next to them). Throws on an unpaired or nested marker.
 */
function findBlocks(text) {
	const blocks = [];
	let open;
	for (const match of text.matchAll(MARKER)) {
		const [marker, kind, name] = match;
		if (kind === 'BEGIN') {
			if (open) throw new Error(`generated block "${open.name}" is not closed before "${name}"`);
			open = { name, start: match.index + marker.length };
		} else {
			if (!open || open.name !== name) throw new Error(`END of "${name}" without its BEGIN`);
			blocks.push({ name, content: text.slice(open.start, match.index).replace(/^\n|\n$/g, '') });
			open = undefined;
		}
	}
	if (open) throw new Error(`generated block "${open.name}" is not closed`);
	return blocks;
}

/** The text with every block this module generates filled in; other generators' blocks kept. */
function fillBlocks(text, blocks) {
	findBlocks(text); // refuses unpaired markers
	return text.replace(
		/(<!-- BEGIN generated: ([a-z0-9-]+) -->)[\s\S]*?(<!-- END generated: \2 -->)/g,
		(whole, begin, name, end) => {
			if (OTHER_GENERATORS.includes(name)) return whole;
			if (!(name in blocks)) throw new Error(`unknown generated block "${name}"`);
			return `${begin}\n${blocks[name]}\n${end}`;
		},
	);
}

/** The Markdown files that may hold generated blocks, relative to the repository. */
function markdownFiles(root = ROOT) {
	const fs = require('node:fs');
	const docs = fs
		.readdirSync(path.join(root, 'docs'))
		.filter((f) => f.endsWith('.md'))
		.sort()
		.map((f) => `docs/${f}`);
	return ['README.md', ...docs];
}

module.exports = {
	NAMES,
	OTHER_GENERATORS,
	loadBuilt,
	renderBlocks,
	findBlocks,
	fillBlocks,
	markdownFiles,
};
