// Runs inside every test file's module registry, after the test framework is set up.
// Jest reuses one worker process for several test files, but each file loads its own copy of
// nock. nock patches Node's http globally, so a copy left active by an earlier file would
// intercept (and refuse) the next file's requests: every file un-patches when it ends.
afterAll(() => {
	require('nock').restore();
});
