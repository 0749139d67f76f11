// @ts-check
// The direction of dependencies (issue 17), checked by `npm run check`:
//   platform (common, config, database, logging, metrics, docs, access, health)
//     <- whatsapp (the engine, with the event model)
//     <- sessions, credentials
//     <- contacts | messaging | webhooks (side by side: none imports another)
//     <- campaigns
//     <- realtime, dashboard
// An arrow may only point down. A lower module that needs something of a higher one gets it
// through a port or an event the lower one defines (e.g. `sessions/session-hooks.ts`).
// The composition root (main, app.module, app.factory, the entity list, the data source, the
// Swagger document set-up, the config assembly) wires everything together and is exempt.

const ROOT =
  '^src/(main|app\\.module|app\\.factory)\\.ts$|^src/database/(entities|data-source|database\\.module)\\.ts$|^src/docs/swagger\\.ts$|^src/config/app-config\\.ts$';

/** Folders of src/ by layer, lowest first. */
const LAYERS = [
  ['common', 'config', 'database', 'logging', 'metrics', 'docs', 'access', 'health', 'cluster'],
  ['whatsapp'],
  ['sessions', 'credentials'],
  ['contacts', 'messaging', 'webhooks'],
  ['campaigns'],
  ['realtime', 'dashboard'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

/** Each layer may not import any layer above it. */
const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `no-upward-from-${layer[0]}`,
  comment: `${layer.join(', ')} must not import the layers above: contribute through a port or an event instead`,
  severity: 'error',
  from: { path: folder(layer), pathNot: ROOT },
  to: { path: folder(LAYERS.slice(index + 1).flat()) },
}));

/** Feature modules of one layer do not import each other. */
const sideways = [
  ['contacts', 'messaging', 'webhooks'],
  ['sessions', 'credentials'],
].flatMap((layer) =>
  layer.map((name) => ({
    name: `no-sideways-from-${name}`,
    comment: `${name} must not import ${layer.filter((other) => other !== name).join(' or ')}: they sit side by side`,
    severity: 'error',
    from: { path: folder([name]) },
    to: { path: folder(layer.filter((other) => other !== name)) },
  })),
);
// credentials is a view over sessions (seed 004's credential routes): it may read sessions
sideways.splice(
  sideways.findIndex((rule) => rule.name === 'no-sideways-from-credentials'),
  1,
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import cycles hide which way a dependency runs',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    ...sideways,
    {
      name: 'baileys-only-in-whatsapp',
      comment: 'nothing outside src/whatsapp imports Baileys (the engine is behind SessionManager)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/whatsapp/' },
      to: { path: 'node_modules/@whiskeysockets/baileys' },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'the product does not import test code (its specs may)',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|coverage)/' },
  },
};
