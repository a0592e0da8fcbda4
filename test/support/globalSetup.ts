import { DATABASES } from './databases.js';

// Runs once before the suite: a skipped database is announced loudly, and is a failure when
// AUDIT_REQUIRE_DATABASES=1 (as in CI), so a green run always says which databases it covered.
export default function setup(): void {
  const missing = DATABASES.filter(db => !db.available);
  if (missing.length === 0) {
    return;
  }
  const lines = missing.map(db => `  ${db.name}: not reachable at ${db.address}; its tests are SKIPPED`);
  const banner = [
    '',
    '#'.repeat(100),
    '# DATABASE SUITES SKIPPED',
    ...lines.map(line => `#${line}`),
    '# Start the server (see README "Running the tests") or point the env vars above at one.',
    '# Set AUDIT_REQUIRE_DATABASES=1 to make a skipped database fail the run.',
    '#'.repeat(100),
    '',
  ].join('\n');
  console.error(banner);
  if (process.env.AUDIT_REQUIRE_DATABASES === '1') {
    throw new Error(`AUDIT_REQUIRE_DATABASES=1 but ${missing.map(db => db.name).join(', ')} not reachable`);
  }
}
