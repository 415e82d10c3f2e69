/**
 * A headless bingo player over raw TCP: identifies, acknowledges its card (a server Request),
 * daubs every called number on its card (client Requests, checked by the server) and claims
 * bingo on a full line. Run it against the demo (`npm start`, then in another shell):
 *
 *     node --conditions=chartroom-source --import tsx examples/bingo/bot.ts ada 127.0.0.1 8081 2
 *     node --conditions=chartroom-source --import tsx examples/bingo/bot.ts bob 127.0.0.1 8081 2
 *
 * (the last argument: how many players to wait for before committing ready).
 */
import { pathToFileURL } from 'node:url';
import { BingoError, connectBingoTcp } from 'chartroom/protocols/bingo/node';
import type { BingoClient, BingoIdentity } from 'chartroom/protocols/bingo/node';
import { completedLine } from './cards.js';
import type { Card } from './cards.js';
import { messages } from './room.js';

export interface BingoBotOptions {
  readonly host: string;
  readonly port: number;
  readonly login: string;
  readonly username?: string;
  /** Extra Identification fields (`room`, or `token` + `room`). */
  readonly identity?: Partial<BingoIdentity>;
  /** Commit ready once seated (the round starts when every player is ready). Default true. */
  readonly ready?: boolean;
  /** Before committing ready, wait until the room has this many players. Default 1. */
  readonly waitForPlayers?: number;
  /** Daub and claim timeout. Default 2000 ms. */
  readonly requestTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface BingoBotResult {
  readonly seatId: string;
  readonly card: Card;
  readonly daubs: readonly number[];
  /** Daubs the server refused (numbers not called or not on the card). */
  readonly refused: readonly string[];
  readonly won: boolean;
  readonly winners: readonly {
    readonly seatId: string;
    readonly name: string;
    readonly line: readonly number[];
  }[];
}

export interface BingoBot {
  readonly client: BingoClient<typeof messages>;
  /** Resolves when the round is over (or the link closes for good). */
  readonly done: Promise<BingoBotResult>;
}

/** Connect one bot; it plays on its own until the round ends. */
export async function startBingoBot(options: BingoBotOptions): Promise<BingoBot> {
  const log = options.log ?? (() => undefined);
  const client = await connectBingoTcp({
    host: options.host,
    port: options.port,
    messages,
    identity: { login: options.login, username: options.username ?? options.login, ...options.identity },
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
  });
  let card: Card = [];
  const daubs: number[] = [];
  const refused: string[] = [];
  let won = false;
  let claiming = false;

  client.onRequest('card', (payload) => {
    const parsed = messages.server.card.safeParse(payload);
    if (!parsed.success) throw new Error('not a card');
    card = parsed.data.card;
    log(`${options.login}: card ${card.join(' ')}`);
    return undefined; // a bare acknowledgement (Reply with only the replied id)
  });

  const claim = async () => {
    if (claiming || won || !completedLine(card, daubs)) return;
    claiming = true;
    try {
      const reply = await client.request('bingo', {});
      won = true;
      log(`${options.login}: BINGO ${JSON.stringify(reply?.payload)}`);
    } catch (error) {
      log(`${options.login}: claim refused (${error instanceof BingoError ? error.code : String(error)})`);
    } finally {
      claiming = false;
    }
  };

  client.on('call', (call) => {
    if (!card.includes(call.number)) return;
    client.request('daub', { number: call.number }).then(
      () => {
        daubs.push(call.number);
        return claim();
      },
      (error: unknown) => refused.push(error instanceof BingoError ? error.code : String(error)),
    );
  });

  const done = new Promise<BingoBotResult>((resolve) => {
    const finish = () =>
      resolve({
        seatId: client.seat?.seatId ?? '',
        card,
        daubs: [...daubs],
        refused: [...refused],
        won,
        winners: (client.vars.get('round') as BingoBotResult | undefined)?.winners ?? [],
      });
    client.on('round', (round) => {
      if (round.state === 'over') finish();
    });
    client.onStatus((status) => {
      if (status === 'closed') finish();
    });
  });

  const wanted = options.waitForPlayers ?? 1;
  if (options.ready ?? true) {
    const players = () => client.room?.seats.filter((s) => s.role === 'player').length ?? 0;
    if (players() < wanted) {
      log(`${options.login}: waiting for ${wanted} players`);
      await new Promise<void>((resolve) => {
        const stop = client.onRoom(() => {
          if (players() < wanted) return;
          stop();
          resolve();
        });
      });
    }
    await client.ready();
  }
  log(`${options.login}: seated as ${client.seat?.seatId ?? '?'} in ${client.seat?.roomId ?? '?'}`);
  return { client, done };
}

// Run directly: `bot.ts [login] [host] [port] [players to wait for]`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [
    login = `bot-${process.pid}`,
    host = '127.0.0.1',
    port = process.env.BINGO_PORT ?? '8081',
    players = '1',
  ] = process.argv.slice(2);
  const bot = await startBingoBot({
    host,
    port: Number(port),
    login,
    waitForPlayers: Number(players),
    log: (line) => console.log(line),
  });
  const result = await bot.done;
  console.log(
    `${login}: round over, ${result.won ? 'won' : 'lost'}; winners ${result.winners.map((w) => w.name).join(', ') || 'none'}`,
  );
  bot.client.close();
}
