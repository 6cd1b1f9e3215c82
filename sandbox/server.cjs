'use strict';
// The CrewPass sandbox, for tests, e2e and scripts: startSandbox() and LINK_TTL_MS.
// Implementation: start.cjs (and the files it names). Declarations: server.d.cts, verified
// against start.cjs by `npm run typecheck`. No @ts-check here: server.d.cts stands in for this
// file in the type-checker, which is why the implementation lives in start.cjs.

module.exports = require('./start.cjs');
