#!/usr/bin/env node
// Runs the TypeScript sources directly, no build step: tsx's loader compiles each module on import.
import { register } from 'tsx/esm/api';

// Node prints process warnings the moment they are emitted, in the middle of a timeline. Keep them
// and print them once, after the command's own output.
const warnings = [];
process.removeAllListeners('warning');
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));
process.on('exit', () => {
  for (const warning of warnings) process.stderr.write(`(warning) ${warning}\n`);
});

register();
await import('../cli/main.ts');
