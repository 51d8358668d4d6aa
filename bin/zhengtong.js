#!/usr/bin/env node
// The command line runs the TypeScript sources through tsx, like `npm start` does.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli/index.ts');
