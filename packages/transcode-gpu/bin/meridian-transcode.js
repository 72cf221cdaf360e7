#!/usr/bin/env node
/** @module meridian-transcode bin: registers tsx (the package ships TypeScript sources) and runs the CLI. */
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
