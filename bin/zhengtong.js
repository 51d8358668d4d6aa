#!/usr/bin/env node
// The command line runs the TypeScript sources through tsx (`npm start` runs the server from a bundle, see scripts/start.mjs).
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli/index.ts');
