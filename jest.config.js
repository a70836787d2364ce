// @swc/jest in CommonJS mode: NestJS 12 ships ESM only, so its files are transpiled too
// (jest's CJS runtime cannot require ESM on Node 20; see shared notes).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(ts|js|mjs|cjs)$': swc },
  // Also Prisma's wasm schema engine glue (ESM only), and PGlite, whose CJS build loads Node built-ins with
  // import(), which jest's CJS runtime rejects without --experimental-vm-modules (swc turns it into require).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@prisma/schema-engine-wasm|@electric-sql/pglite)/)'],
  testTimeout: 60000,
};
