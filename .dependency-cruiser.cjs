// The house plan of src/: rooms on floors. An import may go to its own floor or lower, never up,
// and no two files may import each other in a circle (type-only imports included). Checked by
// `npm run deps` (part of `npm test`); `test/architecture.test.ts` also refuses folder circles.
// A new room is one line in `scripts/floors.cjs` and a README saying what it owns.

const { floors } = require('./scripts/floors.cjs');

const pattern = (rooms) => `^(${rooms.join('|')})`;
const tests = '\\.test\\.ts$';

const upward = floors.slice(0, -1).map((floor, i) => ({
  name: `no-upward-import-from-${floor.name.replace(/\s+/g, '-')}`,
  comment: `the ${floor.name} floor imports only its own floor or lower ones`,
  severity: 'error',
  from: { path: pattern(floor.rooms), pathNot: tests },
  to: { path: pattern(floors.slice(i + 1).flatMap((f) => f.rooms)) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'files that import each other (type-only imports included) cannot be read, tested or moved apart',
      severity: 'error',
      from: { path: '^(src|reference-stack)/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'reference-stack-uses-the-model-only',
      comment: 'the reference shop shares only the stack model and the ground floor with peakready',
      severity: 'error',
      from: { path: '^reference-stack/', pathNot: tests },
      to: { path: pattern(floors.slice(2).flatMap((f) => f.rooms)) },
    },
    {
      name: 'product-does-not-import-tests',
      comment: 'test support and fixtures stay out of the product',
      severity: 'error',
      from: { path: '^(src|reference-stack)/', pathNot: `${tests}|/fixtures/` },
      to: { path: `^test/|${tests}|/fixtures/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
