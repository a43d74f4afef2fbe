/**
 * `@x/io`: asyncio's streams, servers, subprocesses, transports and protocols
 * for x-async, on Node's `net`, `tls`, `dgram`, `child_process` and `dns`.
 *
 * @document ../README.md
 *
 * @module @x/io
 */

export { subprocessExec, subprocessShell } from './base-subprocess.js';
export { type ConnectionOptions, createConnection, createUnixConnection } from './connection.js';
export { createDatagramEndpoint, type DatagramEndpointOptions } from './datagram.js';
export { type AddrInfo, type Family, getaddrinfo, getnameinfo } from './dns.js';
export {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  gaierror,
  IncompleteReadError,
  LimitOverrunError,
  SSLError,
} from './errors.js';
export {
  BaseProtocol,
  BufferedProtocol,
  DatagramProtocol,
  Protocol,
  SubprocessProtocol,
} from './protocols.js';
export {
  createServer,
  createUnixServer,
  Server,
  type ServerOptions,
  type ServerSocket,
} from './server.js';
export { DEVNULL, PIPE, STDOUT, type StdioOption, type SubprocessOptions } from './stdio.js';
export {
  type ClientConnected,
  openConnection,
  openUnixConnection,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
  startServer,
  startUnixServer,
} from './streams.js';
export { createSubprocessExec, createSubprocessShell, Process } from './subprocess.js';
export { FileNotFoundError, PermissionError, ProcessLookupError } from './subprocess-errors.js';
export { type SslOption, startTls } from './tls.js';
export type {
  BaseTransport,
  DatagramTransport,
  ReadTransport,
  SubprocessTransport,
  Transport,
  WriteTransport,
} from './transports.js';
