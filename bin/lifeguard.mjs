#!/usr/bin/env node
// Runs the TypeScript sources directly, no build step: tsx's loader compiles each module on import.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
