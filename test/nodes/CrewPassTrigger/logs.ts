import { WebhookContext } from 'n8n-core';

export interface LogLine {
	level: 'debug' | 'info' | 'warn' | 'error';
	message: string;
}

/**
 * Captures what the trigger writes to n8n's log: `this.logger` of every webhook context
 * (n8n's Logger from its DI container) is replaced by a recorder until restore().
 */
export function captureLogs(): { lines: LogLine[]; restore: () => void; text: () => string } {
	const lines: LogLine[] = [];
	const record =
		(level: LogLine['level']) =>
		(...args: unknown[]) => {
			lines.push({ level, message: String(args[0]) });
		};
	const recorder = {
		debug: record('debug'),
		info: record('info'),
		warn: record('warn'),
		error: record('error'),
	} as unknown as WebhookContext['logger'];
	const spy = jest.spyOn(WebhookContext.prototype, 'logger', 'get').mockReturnValue(recorder);
	return {
		lines,
		restore: () => spy.mockRestore(),
		text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
	};
}
