// ctrl-c-cleanup.ts, run with plain node: a program's last line calls runMain(main).
//
//   node examples/dist/08-signals/ctrl-c-cleanup-node.js   (after `pnpm build`)
//
// (A module meant for xrun must not call runMain itself: xrun sets process.argv[1]
// to the module, as node would, so the usual "am I the main module?" test cannot
// tell the two apart.)
import { runMain } from '@x/runner';
import { main } from './ctrl-c-cleanup.ts';

runMain(main);
