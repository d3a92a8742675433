#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that delays everything by D ms each way (each
chunk is held D ms, without holding the chunks behind it: latency, not a
slower line), so that a local S3 server answers as one a network away
would (a round trip of 2 × D ms). Used by bench/publish.py when LAG_MS is
set. Usage: python3 bench/lag.py LISTEN_PORT UPSTREAM_PORT D_MS"""
import asyncio, sys, time
LP, UP, D = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
async def pipe(reader, writer):
    q = asyncio.Queue()
    async def pump():
        while True:
            due, data = await q.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.close()
        except Exception:
            pass
    t = asyncio.create_task(pump())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            q.put_nowait((time.monotonic() + D, data))
    except Exception:
        pass
    q.put_nowait((0, None))
    await t
async def handle(cr, cw):
    try:
        ur, uw = await asyncio.open_connection("127.0.0.1", UP)
    except Exception:
        cw.close(); return
    await asyncio.gather(pipe(cr, uw), pipe(ur, cw))
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", LP)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
