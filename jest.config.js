'use strict';
// One Jest project per package or example that has tests. ts-jest only transpiles
// (isolatedModules): type checking is `npm run lint`, which covers the tests too.
// `npm test` runs Jest with --experimental-vm-modules: google-auth-library's HTTP client
// (gaxios) loads node-fetch with a dynamic import(), which Jest's module system supports only
// with that flag. Applications are unaffected: plain Node runs it as usual.
const fs = require('node:fs');
const path = require('node:path');

const roots = ['packages', 'examples'].flatMap((dir) =>
  fs.readdirSync(path.join(__dirname, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(__dirname, dir, entry.name, 'test')))
    .map((entry) => path.join(dir, entry.name)),
);

module.exports = {
  // One worker per core (Jest's default leaves one core out): many suites spend their time
  // waiting on sockets and timers, and on the 2-core CI machine a second worker cut the run
  // from about 150 s to 100 s.
  maxWorkers: '100%',
  // Tests assert behaviour, never speed (timing lives in `npm run bench`). Jest's 5 s default
  // failed a 200-concurrent-request chain on the shared 2-core CI machine while the soak suite
  // ran beside it, so the guard is only against a test that hangs.
  testTimeout: 30_000,
  projects: roots.map((root) => ({
    displayName: root,
    rootDir: path.join(__dirname, root),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }],
    },
  })).concat({
    // Root-level suites that exercise several packages together (see test/reliability/README.md).
    displayName: 'reliability',
    rootDir: __dirname,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }],
    },
  }, {
    // The published tarballs as an npm user gets them: types, contents, the viewer's bin.
    displayName: 'packaging',
    rootDir: __dirname,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/packaging/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }],
    },
  }),
};
