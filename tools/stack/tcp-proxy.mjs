// A small TCP proxy for network faults on loopback (these machines have no netem): every connection
// to `port` is forwarded to `target`, and the proxy can
//   delay(ms)      hold each chunk ms before forwarding it, in order, both ways;
//   blackhole(on)  forward nothing while on, and release what it held when off (what TCP does when
//                  a partition heals before its retransmissions give up);
//   reset()        close every open connection with a TCP RST, as a middlebox that lost its state.
// Only node: builtins, like the rest of tools/stack.
import net from 'node:net';

export async function startProxy({ port, target, host = '127.0.0.1' }) {
  const sockets = new Set();
  const state = { delayMs: 0, blackhole: false, held: [] };

  /** Forwards `chunk` to `to` after the current delay, in order with what came before. */
  const forward = (to, chunk, queue) => {
    const send = () => {
      if (state.blackhole) state.held.push(() => to.write(chunk));
      else if (!to.destroyed) to.write(chunk);
    };
    queue.last = queue.last.then(() =>
      state.delayMs > 0 ? new Promise((r) => setTimeout(() => (send(), r()), state.delayMs)) : send(),
    );
  };

  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port: target });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const up = { last: Promise.resolve() };
    const down = { last: Promise.resolve() };
    client.on('data', (chunk) => forward(upstream, chunk, up));
    upstream.on('data', (chunk) => forward(client, chunk, down));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });

  return {
    port,
    delay(ms) {
      state.delayMs = ms;
    },
    blackhole(on) {
      state.blackhole = on;
      if (!on) for (const release of state.held.splice(0)) release();
    },
    reset() {
      for (const s of sockets) s.resetAndDestroy();
    },
    get connections() {
      return sockets.size / 2;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
