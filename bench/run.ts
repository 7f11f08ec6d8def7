import '../lib/util/polyfills.ts';
import { benchBundle } from './bundle.ts';
import { benchDrain } from './drain.ts';
import { benchFailover } from './failover.ts';

/** `npm run bench`: prints figures; asserts nothing. `npm run bench -- drain` runs one. */
const benches: Record<string, () => Promise<Record<string, number | string>>> = {
  drain: benchDrain,
  bundle: () => benchBundle(),
  failover: benchFailover,
};

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  const figures = await bench();
  console.log(`\n# ${name}`);
  for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(28)} ${value}`);
}
