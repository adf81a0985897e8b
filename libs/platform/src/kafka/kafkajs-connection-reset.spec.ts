import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';

/**
 * kafkajs' connection after a reset, as patched (patches/kafkajs+2.2.4.patch): a connection whose
 * socket was reset mid-response kept the response's first bytes, and read them as the start of the
 * next socket's first response. The frames no longer lined up, and the decoder's RangeError, thrown
 * in the socket's data handler, ended the process (the courts service, in `npm run chaos --
 * net-reset`). Driven here through kafkajs' own Connection against a loopback server that speaks
 * Kafka's framing: a size, then the correlation id, then the payload.
 */
const require = createRequire(import.meta.url);
interface KafkaConnection {
  connect(): Promise<boolean>;
  disconnect(): Promise<boolean>;
  send(protocol: { request: object; response: object; requestTimeout?: number }): Promise<Buffer>;
}
const Connection = require('kafkajs/src/network/connection.js') as new (options: object) => KafkaConnection;
const socketFactory = (require('kafkajs/src/network/socketFactory.js') as () => unknown)();
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js') as {
  createLogger: (options: object) => unknown;
  LEVELS: { NOTHING: number };
};
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => object;

/** A request with an empty body whose response is handed back as its raw payload. */
const protocol = {
  request: {
    apiKey: 18,
    apiVersion: 0,
    apiName: 'ApiVersions',
    encode: () => Promise.resolve(new Encoder()),
  },
  response: {
    decode: (payload: Buffer) => Promise.resolve(payload),
    parse: (payload: Buffer) => Promise.resolve(payload),
  },
  requestTimeout: 5_000,
};

const frame = (correlationId: number, payload: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + payload.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, payload]);
};

/**
 * A server that answers each request (its correlation id at bytes 8-12 of the frame) as `answer`
 * says, one call per connection in order.
 */
async function server(answers: ((socket: net.Socket, correlationId: number) => void)[]) {
  let connections = 0;
  const srv = net.createServer((socket) => {
    const answer = answers[Math.min(connections++, answers.length - 1)]!;
    socket.on('data', (data) => answer(socket, data.readInt32BE(8)));
    socket.on('error', () => undefined);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  const connection = new Connection({
    host: '127.0.0.1',
    port,
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
    socketFactory,
    requestTimeout: 5_000,
    connectionTimeout: 2_000,
  });
  return {
    connection,
    close: async () => {
      await connection.disconnect().catch(() => undefined);
      srv.close();
    },
  };
}

describe('kafkajs connection after a reset (patched)', () => {
  it('reads the next socket’s responses from their own first byte, not after the bytes a reset cut short', async () => {
    const { connection, close } = await server([
      // The first response's first two bytes, then a reset.
      (socket, id) => {
        socket.write(frame(id, Buffer.from('first')).subarray(0, 2));
        setTimeout(() => socket.resetAndDestroy(), 50);
      },
      (socket, id) => socket.write(frame(id, Buffer.from('second'))),
    ]);
    try {
      await connection.connect();
      await expect(connection.send(protocol)).rejects.toThrow(/Connection error/);
      await connection.connect();
      await expect(connection.send(protocol)).resolves.toEqual(Buffer.from('second'));
    } finally {
      await close();
    }
  });

  it('fails the connection, not the process, on bytes that do not frame as a response', async () => {
    const { connection, close } = await server([
      // A frame of size 0: no room for the correlation id.
      (socket) => socket.write(Buffer.alloc(4)),
      (socket, id) => socket.write(frame(id, Buffer.from('after'))),
    ]);
    try {
      await connection.connect();
      await expect(connection.send(protocol)).rejects.toThrow(/Connection error/);
      await connection.connect();
      await expect(connection.send(protocol)).resolves.toEqual(Buffer.from('after'));
    } finally {
      await close();
    }
  });
});
