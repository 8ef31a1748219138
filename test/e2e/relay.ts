/**
 * A TCP relay on loopback in front of a server: the browser connects to the relay, which passes
 * every byte on to the server and back. It can hold each chunk as a network's round trips would
 * (the bench's cold-connection landing) and show each connection the browser opens (the
 * preconnect test counts them and finds the one that carried the click).
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface RelayOptions {
  /** How long each chunk waits, each way, ms; 0 (the default) passes it on in the same turn. */
  holdMs?: number;
  /** Called with the browser's side of each connection as it opens (its `data` is what the browser sent). */
  onConnection?: (browserSide: Socket) => void;
}

export interface Relay {
  port: number;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port to `port` on loopback. */
export async function startRelay(port: number, options: RelayOptions = {}): Promise<Relay> {
  const { holdMs = 0, onConnection } = options;
  const sockets = new Set<Socket>();
  const relay = createServer((browserSide) => {
    const serverSide = connect(port, '127.0.0.1');
    const pass = (from: Socket, to: Socket) => {
      sockets.add(from);
      from.on('close', () => sockets.delete(from)).on('error', () => to.destroy());
      if (holdMs == 0) return void from.pipe(to);
      from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), holdMs));
      from.on('end', () => setTimeout(() => to.end(), holdMs));
    };
    pass(browserSide, serverSide);
    pass(serverSide, browserSide);
    onConnection?.(browserSide);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
