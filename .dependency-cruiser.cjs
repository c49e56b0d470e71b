/**
 * The layers of docs/architecture.md, checked by dependency-cruiser (npm run lint:layers, run by npm test).
 * contracts ← domain ← workflows / activities / db ← server (platform ← features).
 */
/** Our top-level folders (as `npm run lint:layers` names them). */
const OURS = 'contracts domain workflows activities db server notifications codec schedules scripts simulation'.split(
  ' ',
);

/** The lower layers: each imports only the folders of ours it lists (and libraries). */
const LAYERS = [
  {
    name: 'contracts-import-nothing-of-ours',
    layer: 'contracts',
    mayImport: [],
    comment: 'contracts/ holds the shapes shared by workflows, activities and server: libraries only.',
  },
  {
    name: 'domain-imports-only-contracts',
    layer: 'domain',
    mayImport: ['contracts'],
    comment: 'domain/ is pure rules: it imports contracts/ and libraries, nothing else of ours.',
  },
  {
    name: 'workflows-stay-deterministic',
    layer: 'workflows',
    // activities: by type only (workflows-import-activity-types-only)
    mayImport: ['contracts', 'domain', 'activities', 'codec'],
    comment: 'workflows/ import contracts/, domain/ and activity types only (never db, server, notifications).',
  },
  {
    name: 'db-below-server',
    layer: 'db',
    mayImport: ['contracts', 'domain', 'codec'],
    comment: 'db/ is the data layer: it imports contracts/, domain/ and libraries.',
  },
];

const layerRules = LAYERS.map(({ name, layer, mayImport, comment }) => ({
  name,
  severity: 'error',
  comment,
  from: { path: `^${layer}/` },
  to: { path: `^(${OURS.filter((f) => f !== layer && !mayImport.includes(f)).join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles.', from: {}, to: { circular: true } },
    ...layerRules,
    {
      name: 'workflows-import-activity-types-only',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'activities-do-not-import-workflows',
      severity: 'error',
      comment: 'activities/ share shapes with workflows through contracts/.',
      from: { path: '^activities/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'only-db-reaches-the-database',
      severity: 'error',
      comment: 'knex and the drivers are loaded by db/ only; elsewhere a Knex instance is passed along by type.',
      from: { pathNot: '^db/' },
      to: { path: 'node_modules/(knex|pg|sqlite3)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'below-server-stays-below',
      severity: 'error',
      comment:
        'Nothing below server/ imports it, except the configuration and the one i18n catalogue (notification texts).',
      from: { path: '^(contracts|domain|workflows|activities|db|notifications|codec)/' },
      to: { path: '^server/', pathNot: '^server/platform/(i18n|config)/' },
    },
    {
      name: 'i18n-through-the-catalogue',
      severity: 'error',
      comment:
        'The one i18n catalogue: outside server/platform/i18n/ texts are read through its index.ts (t(lang), text(req), fill), never from an area file.',
      from: { pathNot: '^server/platform/i18n/' },
      to: { path: '^server/platform/i18n/', pathNot: '^server/platform/i18n/index\\.ts$' },
    },
    {
      name: 'zod-through-domain-zod',
      severity: 'error',
      comment:
        "zod is imported through domain/zod.ts (zod 4 with the service's wording of its default messages), never directly.",
      from: { pathNot: '^domain/zod\\.ts$' },
      to: { path: 'node_modules/zod/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'platform-below-features',
      severity: 'error',
      comment: 'server/platform/ is shared by every feature and imports none.',
      from: { path: '^server/platform/' },
      to: { path: '^server/features/' },
    },
    {
      name: 'features-use-each-other-by-their-use-cases',
      severity: 'error',
      comment: "A feature imports another feature's use-cases.ts (its public face), never its routes, pages or views.",
      from: { path: '^server/features/([^/]+)/' },
      to: {
        path: '^server/features/([^/]+)/',
        pathNot: ['^server/features/$1/', '^server/features/[^/]+/use-cases\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(test|bench)/' },
  },
};
