import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeTypeDescription } from 'n8n-workflow';

import packageJson from '../package.json';

/** The categories n8n's nodes panel files nodes under; anything else misfiles the node. */
const N8N_CATEGORIES = [
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing & Content',
	'Productivity',
	'Sales',
	'Utility',
	'Miscellaneous',
];

/** The package root, as n8n sees an installed community package (npm test builds dist/ first). */
const packageRoot = require.resolve('../package.json').replace(/[\\/]package\.json$/, '');

describe('the built package, loaded the way n8n loads it', () => {
	let loader: PackageDirectoryLoader;

	beforeAll(async () => {
		loader = new PackageDirectoryLoader(packageRoot);
		await loader.loadAll();
	});

	it('finds every node package.json lists, with codex and themed icons', () => {
		const expected = packageJson.n8n.nodes.map((file) =>
			file.replace(/^.*\//, '').replace(/\.node\.js$/, ''),
		);
		expect(expected.length).toBeGreaterThanOrEqual(1);
		for (const className of expected) {
			const name = className.charAt(0).toLowerCase() + className.slice(1);
			const loaded = loader.nodeTypes[name];
			expect(loaded).toBeDefined();
			const description = loaded.type.description as INodeTypeDescription;
			expect(description.name).toBe(name);
			expect(description.codex?.categories?.length).toBeGreaterThan(0);
			for (const category of description.codex?.categories ?? [])
				expect(N8N_CATEGORIES).toContain(category);
			const icon = description.iconUrl as { light: string; dark: string };
			expect(icon.light).toMatch(/\.svg$/);
			expect(icon.dark).toMatch(/\.dark\.svg$/);
		}
		expect(Object.keys(loader.nodeTypes).sort()).toEqual(
			expected.map((c) => c.charAt(0).toLowerCase() + c.slice(1)).sort(),
		);
	});

	it('finds every credential package.json lists, with the nodes that use it', () => {
		expect(Object.keys(loader.credentialTypes)).toEqual(['crewPassApi']);
		expect(packageJson.n8n.credentials).toEqual(['dist/credentials/CrewPassApi.credentials.js']);
		expect(loader.credentialTypes.crewPassApi.type.displayName).toBe('CrewPass API');
		expect(loader.nodesByCredential.crewPassApi).toEqual(expect.arrayContaining(['crewPass']));
	});

	it('uses the one n8n-workflow that n8n-core uses (class identity)', () => {
		const fromCore = require.resolve('n8n-workflow', {
			paths: [require.resolve('n8n-core').replace(/dist[\\/].*$/, '')],
		});
		expect(fromCore).toBe(require.resolve('n8n-workflow'));
	});

	it('declares no runtime dependencies and n8n-workflow as the only peer', () => {
		expect((packageJson as { dependencies?: object }).dependencies).toBeUndefined();
		expect(packageJson.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(packageJson.files).toEqual(['dist']);
	});
});
