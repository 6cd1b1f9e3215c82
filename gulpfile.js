const { src, dest } = require('gulp');

// tsc compiles the TypeScript and the codex .node.json files; the icons are copied here.
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports['build:icons'] = buildIcons;
