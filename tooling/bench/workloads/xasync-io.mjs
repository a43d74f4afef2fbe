// x-async (@x/io): the anchors' I/O workloads W8–W11b, written as
// ../shared/anchors/bench/py/bench.py writes them for asyncio: the streams API
// (startServer / openConnection) and createSubprocessExec + communicate(), with the same
// sizes, the same timed phases and the same checks (lib/common.mjs's IO, echoLine,
// lcgBytes, checkPiece, checkHead, checkChild). Runs the built packages (dist/).
// Usage: node workloads/xasync-io.mjs CASE   (CASE: W8 W9 W10 W11 W11b)

import { createSubprocessExec, openConnection, PIPE, startServer } from '@x/io';
import { newEventLoop } from '@x/loop';
import { Event, gather, Semaphore, waitFor } from '@x/tasks';
import {
  assert,
  checkChild,
  checkHead,
  checkPiece,
  childMetrics,
  echoLine,
  emit,
  HOST,
  IO,
  lcgBytes,
  main,
  now,
  percentileUs,
} from '../lib/common.mjs';

/** Runs `coro` on a new loop, as `asyncio.Runner().run(coro)`, then closes the loop. */
async function runMain(coro) {
  const loop = newEventLoop();
  try {
    return await loop.runUntilComplete(coro);
  } finally {
    loop.close();
  }
}

const portOf = (server) => server.sockets[0].port;

// W8: C connections, each R sequential round trips of a 64-byte line (readline/write/drain).
function* w8() {
  const { connections: C, roundTrips: R } = IO.W8;
  const N = C * R;
  const lines = Array.from({ length: C }, (_, c) =>
    Array.from({ length: 8 }, (_, k) => Buffer.from(echoLine(c, k))),
  );
  let accepted = 0;
  let served = 0;
  const allAccepted = new Event();
  const allServed = new Event();
  function* handle(reader, writer) {
    if (++accepted === C) allAccepted.set();
    for (;;) {
      const line = yield* reader.readline();
      if (line.length === 0) break;
      writer.write(line);
      yield* writer.drain();
    }
    writer.close();
    yield* writer.waitClosed();
    if (++served === C) allServed.set();
  }
  const server = yield* startServer(handle, HOST, 0);
  const port = portOf(server);
  const conns = [];
  for (let c = 0; c < C; c++) conns.push(yield* openConnection(HOST, port));
  yield* allAccepted.wait(); // every connection is up and has its handler running
  const lat = [];
  function* client(c, reader, writer) {
    const mine = lines[c];
    for (let i = 0; i < R; i++) {
      const line = mine[i & 7];
      const t = performance.now();
      writer.write(line);
      yield* writer.drain();
      const reply = yield* reader.readline();
      lat.push(performance.now() - t);
      if (!reply.equals(line)) {
        throw new Error(`check failed: conn ${c} round trip ${i}: sent ${line}, got ${reply}`);
      }
    }
  }
  const t0 = now();
  yield* gather(conns.map(([r, w], c) => client(c, r, w)));
  const t1 = now();
  for (const [, w] of conns) w.close();
  for (const [, w] of conns) yield* w.waitClosed();
  server.close();
  yield* server.waitClosed();
  yield* waitFor(allServed.wait(), 30); // each handler sees EOF, closes, returns
  assert(lat.length === N, lat.length);
  emit(
    'W8',
    N,
    {
      rate: N / (t1 - t0),
      p50_us: percentileUs(lat, 50),
      p99_us: percentileUs(lat, 99),
      seconds: t1 - t0,
    },
    'ok',
    { connections: C, round_trips_each: R },
  );
}

// W9: 1 connection: the client writes TOTAL bytes in 64 KiB chunks (write + drain) while
// reading the echo; the server echoes with read(64 KiB) / write / drain.
function* w9() {
  const { total: TOTAL, chunk: CHUNK, sample: SAMPLE } = IO.W9;
  const pattern = lcgBytes(CHUNK); // every chunk is the same 64 KiB of LCG bytes
  let served = 0;
  function* handle(reader, writer) {
    for (;;) {
      const data = yield* reader.read(CHUNK);
      if (data.length === 0) break;
      writer.write(data);
      yield* writer.drain();
    }
    writer.close();
    yield* writer.waitClosed();
    served++;
  }
  const server = yield* startServer(handle, HOST, 0);
  const [reader, writer] = yield* openConnection(HOST, portOf(server));
  function* produce() {
    for (let i = 0; i < TOTAL / CHUNK; i++) {
      writer.write(pattern);
      yield* writer.drain();
    }
    writer.writeEof();
  }
  const head = [];
  function* consume() {
    let got = 0;
    let reads = 0;
    for (;;) {
      const data = yield* reader.read(CHUNK);
      if (data.length === 0) return [got, reads];
      // sample: first and last byte of every read must sit at the right stream offset
      checkPiece(pattern, got, data);
      if (got < SAMPLE) head.push(data);
      got += data.length;
      reads++;
    }
  }
  const t0 = now();
  const [, [got, reads]] = yield* gather([produce(), consume()]);
  const t1 = now();
  writer.close();
  yield* writer.waitClosed();
  server.close();
  yield* server.waitClosed();
  assert(got === TOTAL, `${got} != ${TOTAL}`);
  checkHead(pattern, head, SAMPLE);
  assert(served === 1, served);
  emit(
    'W9',
    TOTAL,
    { mb_s: TOTAL / (t1 - t0) / 1e6, seconds: t1 - t0, client_reads: reads },
    'ok',
    {
      chunk: CHUNK,
    },
  );
}

// W10: W clients, each PER sequential connect + (server closes at once) + close cycles.
function* w10() {
  const { clients: W, perClient: PER } = IO.W10;
  const N = W * PER;
  let served = 0;
  const allServed = new Event();
  function* handle(_reader, writer) {
    writer.close();
    yield* writer.waitClosed();
    if (++served === N) allServed.set();
  }
  const server = yield* startServer(handle, HOST, 0);
  const port = portOf(server);
  function* worker() {
    for (let i = 0; i < PER; i++) {
      const [reader, writer] = yield* openConnection(HOST, port);
      const data = yield* reader.read(); // until EOF: the server closes at once
      if (data.length !== 0) throw new Error(`check failed: unexpected data ${data}`);
      writer.close();
      yield* writer.waitClosed();
    }
  }
  const t0 = now();
  yield* gather(Array.from({ length: W }, () => worker()));
  yield* waitFor(allServed.wait(), 60); // the last handlers return
  const t1 = now();
  server.close();
  yield* server.waitClosed();
  assert(served === N, served);
  emit('W10', N, { rate: N / (t1 - t0), seconds: t1 - t0 }, 'ok', { clients: W });
}

// W11 / W11b: N runs of argv with stdout=PIPE and communicate(), at most 8 at a time.
function subprocessRuns(caseName) {
  return function* () {
    const { runs: N, concurrency, argv, outLen } = IO[caseName];
    const sem = new Semaphore(concurrency);
    function* one() {
      yield* sem.acquire();
      let proc;
      let out;
      try {
        proc = yield* createSubprocessExec(argv[0], argv.slice(1), { stdout: PIPE });
        [out] = yield* proc.communicate();
      } finally {
        sem.release();
      }
      checkChild(argv, proc.returncode, out, outLen);
      return out.length;
    }
    const t0 = now();
    const sizes = yield* gather(Array.from({ length: N }, () => one()));
    const t1 = now();
    const sum = sizes.reduce((a, b) => a + b, 0);
    assert(sizes.length === N && sum === N * outLen, sum);
    emit(caseName, N, childMetrics(N, outLen, t1 - t0), 'ok', { argv, concurrency });
  };
}

const cases = {
  W8: () => runMain(w8()),
  W9: () => runMain(w9()),
  W10: () => runMain(w10()),
  W11: () => runMain(subprocessRuns('W11')()),
  W11b: () => runMain(subprocessRuns('W11b')()),
};

main(cases);
