// Runs before every test file: n8n-core reads its settings from the environment, and must not
// touch the developer's own ~/.n8n.
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const folder = path.join(os.tmpdir(), `crewpass-jest-n8n-${process.pid}`);
fs.mkdirSync(folder, { recursive: true });
process.env.N8N_USER_FOLDER = folder;
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'crewpass-tests-only';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
