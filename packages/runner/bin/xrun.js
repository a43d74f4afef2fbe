#!/usr/bin/env node
// The `xrun` command: see src/cli.ts.
import '../dist/cli.js';
