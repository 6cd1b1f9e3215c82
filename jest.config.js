/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	testTimeout: 60_000,
	setupFiles: ['<rootDir>/test/setup-env.cjs'],
	setupFilesAfterEnv: ['<rootDir>/test/setup-nock.cjs'],
};
