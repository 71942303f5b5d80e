/**
 * The floor of the ISO 8583 benchmark: a bare TCP server that cuts the stream into 2-byte-length
 * frames and writes each frame straight back — no decoding, no decision, no journal. What the
 * transport itself costs on this machine (sockets, framing, the event loop), measured beside
 * the listener in the same run.
 *
 * usage: node dist/bench/peers/iso-echo.js   (prints "listening on tcp://HOST:PORT", port picked by the OS)
 */
import { createServer, type AddressInfo } from 'node:net';
import { frame, FrameReader } from '../../src/iso8583/framing.js';

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const reader = new FrameReader();
  socket.on('data', (chunk: Buffer) => {
    const frames = reader.push(chunk);
    if (frames.length > 0) socket.write(Buffer.concat(frames.map(frame)));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as AddressInfo;
  process.stdout.write(`listening on tcp://${a.address}:${a.port}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
