// `xrun ps` / `xrun pstree` on a live program: the example of Python 3.14's
// "asyncio introspection" docs, as x-async. Run it, then from another shell:
//
//   xrun --debug examples/09-introspection/music.ts    # prints its pid
//   xrun ps <pid>                                       # the table of tasks
//   xrun pstree <pid>                                   # the awaited-by tree
//
// It plays for an hour; Ctrl-C ends it.
import { sleep, taskGroup } from '@x/runner';

function* play(track: string) {
  yield* sleep(3600);
  console.log(`song ${track} over`);
}

function* album(name: string, tracks: string[]) {
  yield* taskGroup(function* (tg) {
    for (const track of tracks) tg.createTask(play(track), { name: track });
  });
  console.log(`album ${name} over`);
}

export function* main() {
  yield* taskGroup(function* (tg) {
    tg.createTask(album('Sundowning', ['TNDNBTG', 'Levitate']), { name: 'Sundowning' });
    tg.createTask(album('TMBTE', ['DYWTYLM', 'Aqua Regia']), { name: 'TMBTE' });
    yield* sleep(0.05);
    console.log(`ready ${process.pid}: try xrun ps ${process.pid}`);
  });
}
