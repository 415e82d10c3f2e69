import { createSocket } from 'node:dgram';
import { createSystemClock } from 'chartroom';
import { createChannel } from 'chartroom/protocols/sidereal';
import type { Channel, ChannelOptions } from 'chartroom/protocols/sidereal';
import { createLossyUdpRelay } from './lossy-udp-relay.js';
import type { Faults, LossyUdpRelay } from './lossy-udp-relay.js';

export interface ChannelEnd {
  readonly channel: Channel;
  /** Messages received, as text, in delivery order (`failed:<reason>` when the channel gave up). */
  readonly received: string[];
}

export interface UdpChannelPair {
  /** The client end: its socket talks to the relay. */
  readonly a: ChannelEnd;
  /** The server end: it answers whoever wrote to it last (the relay's upstream socket). */
  readonly b: ChannelEnd;
  readonly relay: LossyUdpRelay;
  /** Send one datagram-sized hello from `a` so `b` learns where to answer; resolves once it has. */
  introduce(): Promise<void>;
  close(): Promise<void>;
}

const text = new TextDecoder();

/**
 * Two Sidereal channels on real UDP sockets on 127.0.0.1, joined through the seeded lossy relay:
 * the chaos test and the benchmark both use it.
 */
export async function createUdpChannelPair(
  seed: number,
  faults: Faults,
  options: Partial<ChannelOptions> = {},
): Promise<UdpChannelPair> {
  const clock = createSystemClock();
  const server = createSocket('udp4');
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const relay = await createLossyUdpRelay({
    target: { host: '127.0.0.1', port: server.address().port },
    seed,
    faults,
  });
  const client = createSocket('udp4');
  await new Promise<void>((resolve) => client.connect(relay.port, '127.0.0.1', resolve));
  let peer: { address: string; port: number } | undefined;
  const end = (transmit: (datagram: Uint8Array) => void): ChannelEnd => {
    const received: string[] = [];
    const channel = createChannel(
      clock,
      {
        transmit,
        message: (body) => received.push(text.decode(body)),
        issue: () => undefined,
        failed: (reason) => received.push(`failed:${reason}`),
      },
      options,
    );
    return { channel, received };
  };
  const a = end((d) => client.send(d));
  const b = end((d) => peer && server.send(d, peer.port, peer.address));
  client.on('message', (m) => a.channel.receive(m));
  server.on('message', (m, info) => {
    peer = { address: info.address, port: info.port };
    b.channel.receive(m);
  });
  return {
    a,
    b,
    relay,
    async introduce() {
      a.channel.send(new TextEncoder().encode('hello'), { kind: 'reliable' });
      const deadline = Date.now() + 5000;
      while (!peer) {
        if (Date.now() > deadline) throw new Error('The hello never crossed the relay.');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      a.channel.close();
      b.channel.close();
      await relay.close();
      await new Promise<void>((resolve) => client.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
