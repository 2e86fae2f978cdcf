/**
 * The kit's layers, enforced by `npm run lint:layers` (part of `npm test`). Read top to bottom:
 *
 *   cli/            the command line: wires the systems' suites into the harness (may import anything below)
 *   scripts/        benches and maintenance (may import anything below)
 *   conformance/    the black-box suites, one folder per system (uses the harness, never the CLI)
 *   harness/        the grading machinery, never a system's suite; inside it, the low layers
 *                   (process, sandbox, network, cluster, load, wire, common) never import checks or reports
 *   reference/      the reference systems: graded like any foreign candidate, so they import nothing of the kit
 *   fixtures/       candidates (broken and correct): may reuse reference code, never the kit that grades them
 *
 * See docs/architecture.md.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two files one concept; split the shared part out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'reference-is-a-candidate',
      severity: 'error',
      comment: 'References are graded through their manifests like any foreign candidate: they never import the kit.',
      from: { path: '^reference/' },
      to: { path: '^(harness|conformance|cli|scripts|fixtures)/' },
    },
    {
      name: 'candidates-are-foreign',
      severity: 'error',
      comment: 'Fixture candidates stand for foreign code: they may reuse reference code, never the kit that grades them.',
      from: { path: '^fixtures/' },
      to: { path: '^(harness|conformance|cli|scripts)/' },
    },
    {
      name: 'harness-never-imports-a-suite',
      severity: 'error',
      comment: 'The harness grades any system; the suites and the CLI that wires them sit above it.',
      from: { path: '^harness/' },
      to: { path: '^(conformance|cli|scripts)/' },
    },
    {
      name: 'conformance-never-imports-the-cli',
      severity: 'error',
      comment: 'Suites use the harness; the command line is the top layer.',
      from: { path: '^conformance/' },
      to: { path: '^(cli|scripts)/' },
    },
    {
      name: 'low-layers-never-import-checks-or-reports',
      severity: 'error',
      comment: 'Process, sandbox, network, cluster, load, wire and common are the machinery checks and reports are built on.',
      from: { path: '^harness/(process|sandbox|network|cluster|load|wire|common)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^harness/(checks|report|grading|flake)/' },
    },
    {
      name: 'common-is-the-floor',
      severity: 'error',
      comment: 'harness/common holds errors, clocks, waits and paths that everything may use; it uses nothing of the kit.',
      from: { path: '^harness/common/' },
      to: { path: '^harness/(?!common/)' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.meridian|dist|\\.stryker-tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
