import { createClient } from 'chartroom/client';
import type { RoomSession } from 'chartroom/client';
import { messages } from './messages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const roomId = new URLSearchParams(location.search).get('game_id') ?? 'demo-card-duel';
$('room').textContent = roomId;
const client = createClient({
  baseUrl: location.origin,
  messages,
  onResumeToken: (token) => sessionStorage.setItem(`chartroom:${roomId}`, token),
});
let session: RoomSession<typeof messages> | undefined;
let myTurn = false;

const render = () => {
  const room = session?.room;
  $('phase').textContent = room?.phase ?? '-';
  $('seat').textContent = session ? `${session.seatId} (${session.role})` : '-';
  ($('ready') as HTMLButtonElement).disabled = !room?.phase.startsWith('setup');
  ($('pass') as HTMLButtonElement).disabled = !myTurn;
};

const attach = (s: RoomSession<typeof messages>) => {
  session = s;
  s.onRoom(render);
  s.on('setupState', (state) => {
    $('setup').textContent =
      `${state.stage} · decks ${JSON.stringify(state.decks)} · order ${JSON.stringify(state.order)}`;
  });
  s.on('hand', ({ cards }) => {
    $('hand').innerHTML = '';
    for (const card of cards) {
      const button = document.createElement('button');
      button.textContent = `${card.kind} ${card.value}`;
      button.onclick = () => s.send('playCard', { cardId: card.id });
      $('hand').append(button);
    }
  });
  s.on('turn', ({ seatId, turnMs }) => {
    myTurn = seatId === s.seatId;
    $('turn').textContent = `${seatId}${myTurn ? ' (you)' : ''}, ${turnMs / 1000} s`;
    render();
  });
  s.on('played', ({ seatId, card, hp }) => {
    $('log').textContent = `${seatId} played ${card.kind} ${card.value}`;
    $('hp').textContent = JSON.stringify(hp);
  });
  s.on('timedOut', ({ seatId }) => ($('log').textContent = `${seatId} ran out of time`));
  s.on(
    'gameOver',
    ({ winner, hp }) => ($('log').textContent = `Game over: ${winner ?? 'a draw'} ${JSON.stringify(hp)}`),
  );
  s.onError((error) => ($('log').textContent = `${error.code}: ${error.message}`));
  render();
};

$('join').onclick = async () => {
  const name = ($('name') as HTMLInputElement).value.trim();
  try {
    attach(await client.join(roomId, name ? { name } : {}));
  } catch (error) {
    $('log').textContent = String(error);
  }
};
$('ready').onclick = () => session?.ready();
$('pass').onclick = () => session?.send('pass', {});
document.querySelectorAll<HTMLButtonElement>('[data-deck]').forEach((button) => {
  button.onclick = () =>
    session?.send('chooseDeck', { deck: button.dataset.deck as 'ember' | 'tide' | 'stone' });
});
document.querySelectorAll<HTMLButtonElement>('[data-seat]').forEach((button) => {
  button.onclick = () => session?.send('takeSeat', { position: Number(button.dataset.seat) });
});

const stored = sessionStorage.getItem(`chartroom:${roomId}`);
if (stored) client.resume(stored).then(attach, () => sessionStorage.removeItem(`chartroom:${roomId}`));
