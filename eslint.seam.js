// The one seam to MikroORM: code outside src/mikro-orm/ reaches MikroORM only through its public API. Anything
// that depends on MikroORM's internals (private symbols, prototypes, @internal methods, the ORM version, its SQL
// packages, class names) lives in src/mikro-orm/, one small file per concern, each with the test that fails when
// MikroORM changes it. test/unit/seam-rule.test.ts proves that each of these rules catches a violation.
const where = 'belongs in src/mikro-orm/, the one seam to MikroORM internals';

export const seamRules = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['@mikro-orm/knex', '@mikro-orm/sql', '@mikro-orm/migrations', 'knex', 'kysely'], message: `MikroORM's SQL and migration packages differ between versions: their use ${where}.` },
        { group: ['node:module'], message: `Loading MikroORM modules by hand ${where}.` },
      ],
    },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.object.name='Object'][callee.property.name=/^(setPrototypeOf|getPrototypeOf|getOwnPropertySymbols)$/]", message: `Reaching into prototypes or private symbols ${where}.` },
    { selector: "MemberExpression[property.name='prototype'][object.name!='Function']", message: `Reaching into a prototype ${where}.` },
    { selector: "CallExpression[callee.name='wrap'][arguments.length=2]", message: `wrap(entity, true), MikroORM's internal entity helper, ${where}.` },
    {
      selector: "MemberExpression[property.name=/^(getSnapshot|getORMVersion|nativeInsertMany|getKnex|getClient|transformRawResult|executeQuery|getMetadataFromDecorator|triggers|defaultDeleteRule|accessor|REGISTRY)$/]",
      message: `This MikroORM internal (or version-specific API) ${where}.`,
    },
    { selector: "MemberExpression[object.property.name='constructor'][property.name='name']", message: `Telling classes apart by name breaks under minification: ${where}.` },
    { selector: "MemberExpression[object.name='MetadataStorage']", message: `MikroORM's static metadata storage ${where}.` },
    { selector: "CallExpression[callee.property.name='set'][arguments.0.value=/^(entityManager|migrations)$/]", message: `Replacing MikroORM's classes in its config ${where}.` },
    { selector: 'ImportExpression', message: `Loading modules at run time ${where}.` },
  ],
};

export const sizeRules = {
  'max-lines': ['error', { max: 250, skipBlankLines: false, skipComments: false }],
  'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false }],
};
