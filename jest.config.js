'use strict';
// One `npm test` runs every tier. The database tier (integration + e2e) runs once on
// SQLite and, when TEST_DB_TYPE=mysql is set, once more on MySQL/MariaDB.

const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  resolver: '<rootDir>/test/jest/resolver.js',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/tsconfig.json',
        // The same Swagger plugin as `nest build`, so tests see the OpenAPI document users get
        astTransformers: {
          before: ['<rootDir>/test/jest/swagger-plugin.transformer.js'],
        },
      },
    ],
    '^.+\\.m?js$': '<rootDir>/test/jest/esm-to-cjs.transform.js',
  },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
};

const projects = [
  {
    ...shared,
    displayName: 'unit',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
  },
  { ...shared, displayName: 'wa-sim', testMatch: ['<rootDir>/test/wa-sim/**/*.spec.ts'] },
  // npm start / sim / demo as real npm processes (they build into dist/, so one file, in order)
  { ...shared, displayName: 'scripts', testMatch: ['<rootDir>/test/scripts/**/*.spec.ts'] },
];

// The dashboard in headless Chromium: once, on the SQLite tier (the page does not depend on the
// database). A machine without a Chromium skips it with a reason; CI sets TEST_BROWSER=required,
// so there a missing Chromium fails the run instead
const { execFileSync } = require('node:child_process');
const hasChromium = () =>
  Boolean(process.env.CHROMIUM_PATH) ||
  ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].some((name) => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
if (process.env.TEST_BROWSER === 'required' || hasChromium()) {
  projects.push({
    ...shared,
    displayName: 'browser',
    testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
    setupFiles: ['<rootDir>/test/jest/tier-sqlite.js'],
  });
} else if (!process.env.JEST_WORKER_ID) {
  console.log(
    'Browser tier skipped: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH) to test the dashboard in a real browser; CI installs it and requires it.',
  );
}

const dbTierTests = ['<rootDir>/test/integration/**/*.spec.ts', '<rootDir>/test/e2e/**/*.spec.ts'];
projects.push({
  ...shared,
  displayName: 'sqlite',
  testMatch: dbTierTests,
  setupFiles: ['<rootDir>/test/jest/tier-sqlite.js'],
});

if ((process.env.TEST_DB_TYPE ?? '').toLowerCase() === 'mysql') {
  projects.push({
    ...shared,
    displayName: 'mysql',
    testMatch: dbTierTests,
    setupFiles: ['<rootDir>/test/jest/tier-mysql.js'],
  });
} else if (!process.env.JEST_WORKER_ID) {
  console.log(
    'MySQL tier skipped: set TEST_DB_TYPE=mysql (and TEST_DB_HOST, TEST_DB_PORT, TEST_DB_USER, TEST_DB_PASSWORD, TEST_DB_NAME) to run the database tests on MySQL/MariaDB too.',
  );
}

module.exports = {
  projects,
  testTimeout: 30000,
  // Most test time is spent waiting (simulated phones, databases, child processes): two files
  // at a time on a 2-core machine finish sooner than one (Jest's default is cores - 1)
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // A worker keeps what each test file leaves behind (module registries, the app's caches); over
  // a whole run one grew past V8's 4 GB heap and crashed. Jest restarts a worker whose heap is
  // above this after a file, so a long run cannot run out of memory
  workerIdleMemoryLimit: '1536MB',
};
