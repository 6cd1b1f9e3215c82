/**
 * Just enough Markdown for the README tests: headings and their sections, pipe tables, fenced
 * code blocks, links and GitHub's heading anchors. Pure functions over the text.
 */

export interface Heading {
	level: number;
	title: string;
	line: number;
}

/** Lines outside fenced code blocks, with their line numbers (fences themselves excluded). */
function proseLines(text: string): Array<{ line: number; text: string }> {
	const out: Array<{ line: number; text: string }> = [];
	let fenced = false;
	text.split('\n').forEach((line, index) => {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			return;
		}
		if (!fenced) out.push({ line: index, text: line });
	});
	return out;
}

export function headings(text: string): Heading[] {
	const found: Heading[] = [];
	for (const { line, text: content } of proseLines(text)) {
		const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(content);
		if (match) found.push({ level: match[1].length, title: match[2], line });
	}
	return found;
}

/**
 * The text under the heading whose title is `title` (exactly, as written after the #s), up to the
 * next heading of the same or a higher level. Throws when there is no such heading, so a renamed
 * section fails the test that reads it.
 */
export function section(text: string, title: string): string {
	const all = headings(text);
	const index = all.findIndex((h) => h.title === title);
	if (index < 0) throw new Error(`no heading "${title}"`);
	const start = all[index];
	const end = all.slice(index + 1).find((h) => h.level <= start.level);
	const lines = text.split('\n');
	return lines.slice(start.line + 1, end ? end.line : lines.length).join('\n');
}

/** Splits one table row into trimmed cells (a `|` inside a code span stays in its cell). */
export function tableCells(row: string): string[] {
	const cells: string[] = [];
	let current = '';
	let inCode = false;
	const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
	for (const char of body) {
		if (char === '`') inCode = !inCode;
		if (char === '|' && !inCode) {
			cells.push(current.trim());
			current = '';
		} else current += char;
	}
	cells.push(current.trim());
	return cells;
}

/** Every pipe table in `text` (outside code blocks), as rows of cells keyed by the header. */
export function tables(text: string): Array<Array<Record<string, string>>> {
	const result: Array<Array<Record<string, string>>> = [];
	const lines = proseLines(text).map((l) => l.text);
	for (let i = 0; i < lines.length; i++) {
		if (!/^\s*\|/.test(lines[i]) || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
		const header = tableCells(lines[i]);
		const rows: Array<Record<string, string>> = [];
		let j = i + 2;
		for (; j < lines.length && /^\s*\|/.test(lines[j]); j++) {
			const cells = tableCells(lines[j]);
			rows.push(Object.fromEntries(header.map((name, k) => [name, cells[k] ?? ''])));
		}
		result.push(rows);
		i = j - 1;
	}
	return result;
}

/** The one table in a section; throws when there is none or more than one. */
export function onlyTable(sectionText: string): Array<Record<string, string>> {
	const found = tables(sectionText);
	if (found.length !== 1) throw new Error(`expected one table, found ${found.length}`);
	return found[0];
}

/** The contents of the code spans in `text`, in order. */
export function codeSpans(text: string): string[] {
	return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** The bodies of the fenced code blocks of a language in `text`. */
export function codeBlocks(text: string, language: string): string[] {
	const blocks: string[] = [];
	const pattern = new RegExp('^```' + language + '\\s*\\n([\\s\\S]*?)^```', 'gm');
	for (const match of text.matchAll(pattern)) blocks.push(match[1]);
	return blocks;
}

/** A cell without Markdown emphasis, code ticks, or a trailing "(…)" remark. */
export function plain(cell: string): string {
	return cell
		.replace(/\*\*|`/g, '')
		.replace(/\s*\([^)]*\)\s*$/, '')
		.trim();
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(title: string): string {
	return title
		.toLowerCase()
		.replace(/<[^>]*>/g, '')
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

/** The anchors of every heading (a repeated title gets -1, -2, … as on GitHub). */
export function anchors(text: string): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	for (const { title } of headings(text)) {
		const base = slug(title);
		const count = seen.get(base) ?? 0;
		result.add(count ? `${base}-${count}` : base);
		seen.set(base, count + 1);
	}
	return result;
}

/** The targets of the inline links `[text](target)` outside code blocks (images included). */
export function linkTargets(text: string): string[] {
	const targets: string[] = [];
	for (const { text: line } of proseLines(text)) {
		const withoutCode = line.replace(/`[^`]*`/g, '');
		for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) targets.push(match[1]);
	}
	return targets;
}

/** "4 min 2 s", "16.3 s", "0.5 s", "10 min" as seconds. */
export function seconds(text: string): number {
	const match = /^(?:(\d+) min)?\s*(?:([\d.]+) s)?$/.exec(text.trim());
	if (!match || (match[1] === undefined && match[2] === undefined))
		throw new Error(`not a duration: "${text}"`);
	return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** "10,000" → 10000. */
export function integer(text: string): number {
	const value = Number(text.replace(/,/g, '').trim());
	if (!Number.isFinite(value)) throw new Error(`not a number: "${text}"`);
	return value;
}
