import { runMassInterruption, type MassOptions } from './mass.ts';

/**
 * One mass scenario in a process of its own, so what the simulation costs (wall, CPU seconds,
 * peak RSS) is that run's alone: `node --import tsx bench/mass-child.ts '<MassOptions as JSON>'`
 * prints the figures as one JSON line.
 */
const options = JSON.parse(process.argv[2] ?? '') as MassOptions;
const { wallSeconds, ...figures } = await runMassInterruption(options);
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    ...figures,
    simulatorWallSeconds: wallSeconds,
    simulatorCpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
    // maxRSS is in kilobytes.
    simulatorPeakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
