// @ts-check
// Headless Chromium from Debian's package, driven by playwright-core (no browser download):
// a fresh profile per run, no network beyond what the page asks for, no first-run noise.
import fs from 'node:fs';
import path from 'node:path';

import { chromium, selectors } from 'playwright-core';

import { CHROMIUM } from './env.mjs';

export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

let testIdSet = false;

/** Returns { context, page, close() }; the profile lives in <dir>/profile (wiped first). */
export async function launchBrowser(dir) {
	if (!testIdSet) {
		// n8n's editor marks its elements with data-test-id (its own Playwright suite does the same)
		selectors.setTestIdAttribute('data-test-id');
		testIdSet = true;
	}
	const profile = path.join(dir, 'profile');
	fs.rmSync(profile, { recursive: true, force: true });
	fs.mkdirSync(profile, { recursive: true });
	// launchPersistentContext is playwright's way to pass --user-data-dir
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 900 },
		deviceScaleFactor: 1,
		locale: 'en-US',
		timezoneId: 'UTC',
	});
	const page = context.pages()[0] ?? (await context.newPage());
	// the machine may be busy (2 cores): n8n's editor can take half a minute to render
	page.setDefaultTimeout(Number(process.env.CREWPASS_UI_TIMEOUT_MS || 90_000));
	page.setDefaultNavigationTimeout(180_000);
	// "leave the page with unsaved changes?" → yes
	page.on('dialog', (d) => d.accept().catch(() => {}));
	return {
		context,
		page,
		close: async () => {
			await context.close().catch(() => {});
		},
	};
}
