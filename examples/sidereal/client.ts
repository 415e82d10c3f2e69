/**
 * A headless Sidereal client: knocks on a universe over UDP, mirrors it, and prints what it
 * sees once a second until Ctrl-C (then it sends `stop`).
 *
 *     npm start                                   # the demo server (Sidereal on udp 8082)
 *     node --conditions=chartroom-source --import tsx examples/sidereal/client.ts [host] [port] [seconds]
 *
 * Arguments: host (default 127.0.0.1), port (default SIDEREAL_PORT or 8082), seconds to run
 * (default: until interrupted).
 */
import { SiderealClient, udpDatagrams } from 'chartroom/protocols/sidereal/node';

const host = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? process.env.SIDEREAL_PORT ?? 8082);
const seconds = process.argv[4] === undefined ? undefined : Number(process.argv[4]);

/** One line about the mirror: time, objects, and what the turrets have been doing. */
export function describeWorld(client: SiderealClient): string {
  const world = client.world;
  let shots = 0;
  const aiming: string[] = [];
  for (const object of world.objects()) {
    if (object.traits.kind !== 'turret') continue;
    shots += Number(object.traits.shots ?? 0);
    if (object.traits.target) aiming.push(`${object.id}->${String(object.traits.target)}`);
  }
  const offset = client.clockOffsetMs;
  return [
    `t=${world.time}`,
    `${world.size} objects`,
    `${shots} shots`,
    aiming.length ? `aiming ${aiming.join(' ')}` : 'no target',
    `latency ${client.latencyMs?.toFixed(2) ?? '?'} ms`,
    `offset ${offset === undefined ? '?' : offset.toFixed(1)} ms`,
    `retransmissions ${client.stats.retransmissions}`,
  ].join(' | ');
}

async function main() {
  // Handlers first: the keyframe may arrive in the same turn of the event loop as the welcome.
  const client = new SiderealClient({ connect: udpDatagrams({ host, port }) });
  client.on('keyframe', (k) => console.log(`keyframe complete: ${k.total} objects at t=${k.time}`));
  client.on('close', (reason) => {
    if (reason) console.log(`closed: ${reason.code} ${reason.message}`);
  });
  await client.connect();
  console.log(`Knocked on udp://${host}:${port}: seat ${client.seatId} in ${client.roomId}`);
  const timer = setInterval(() => console.log(describeWorld(client)), 1000);
  const finish = async () => {
    clearInterval(timer);
    await client.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void finish());
  if (seconds !== undefined) setTimeout(() => void finish(), seconds * 1000);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
