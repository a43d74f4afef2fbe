# Chapter 6, streams and subprocesses. The TypeScript twin: 06-streams-and-subprocesses.ts
import asyncio


async def handle(reader, writer):
    # One task per connection: each line comes back upper-cased, until EOF.
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    # Port 0: the system picks a free port; server.sockets says which.
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1, port chosen: {'yes' if port > 0 else 'no'}")

    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    for word in ['hello', 'world']:
        writer.write(f'{word}\n'.encode())
        await writer.drain()
        reply = await reader.readline()
        print(f'sent {word}, got {reply.decode().strip()}')
    writer.write_eof()
    rest = await reader.read()
    print(f'after our EOF the server closed: {len(rest)} more bytes')
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()

    # A child process, its stdout piped; communicate() reads it all and waits for the exit.
    proc = await asyncio.create_subprocess_exec(
        'sh', '-c', 'echo hello from a child', stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    print(f"child printed '{out.decode().strip()}', exit code {proc.returncode}")


asyncio.run(main())
