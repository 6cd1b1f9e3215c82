// Files of this repository for the tests that compare documentation with the package. A .cjs
// helper because TypeScript files may not use node:fs or node:path (n8n Cloud lint rules).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** The path inside the repository, refusing one that leaves it. */
function inRepo(relativePath) {
	const full = path.resolve(ROOT, relativePath);
	if (full !== ROOT && !full.startsWith(ROOT + path.sep)) {
		throw new Error(`${relativePath} is outside the repository`);
	}
	return full;
}

module.exports = {
	/** The text of a repository file (UTF-8). */
	readRepoFile: (relativePath) => fs.readFileSync(inRepo(relativePath), 'utf8'),
	/** Whether a file or folder exists in the repository. */
	repoPathExists: (relativePath) => fs.existsSync(inRepo(relativePath)),
	/** The names in a repository folder, sorted. */
	listRepoFolder: (relativePath) => fs.readdirSync(inRepo(relativePath)).sort(),
	/** A module of the built package (dist/, made by npm run build), e.g. 'nodes/CrewPassTrigger/samples.js'. */
	requireBuilt: (relativePath) => require(inRepo(path.join('dist', relativePath))),
};
