import { runMassInterruption } from '/work/main/bench/mass.ts';
const n = Number(process.argv[2] ?? 50);
console.log(JSON.stringify(await runMassInterruption({ nodes: n }), null, 1));
