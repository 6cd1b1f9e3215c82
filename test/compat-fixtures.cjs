// Temporary folders for test/compat.test.ts (the content hash over nodes/ and credentials/). A
// .cjs helper because TypeScript files may not use node:fs, node:os or node:path (n8n lint rules).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function writeTreeFile(root, relativePath, text) {
	const full = path.join(root, relativePath);
	fs.mkdirSync(path.dirname(full), { recursive: true });
	fs.writeFileSync(full, text);
}

module.exports = {
	/** A new temporary folder holding `files` ({ 'nodes/A.ts': 'text', … }); returns its path. */
	tempTree(files) {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crewpass-compat-'));
		for (const [rel, text] of Object.entries(files)) writeTreeFile(root, rel, text);
		return root;
	},
	/** Writes (or overwrites) one file of such a folder. */
	writeTreeFile,
	/** Renames a file of such a folder. */
	renameTreeFile(root, from, to) {
		fs.renameSync(path.join(root, from), path.join(root, to));
	},
	removeTree(root) {
		fs.rmSync(root, { recursive: true, force: true });
	},
};
