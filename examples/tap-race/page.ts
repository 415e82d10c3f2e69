import { createClient } from 'chartroom/client';
import type { RoomSession } from 'chartroom/client';
import { messages } from './room.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const roomId = new URLSearchParams(location.search).get('game_id') ?? 'demo-tap-race';
$('room').textContent = roomId;
const client = createClient({
  baseUrl: location.origin,
  messages,
  onResumeToken: (token) => sessionStorage.setItem(`chartroom:${roomId}`, token),
});
let session: RoomSession<typeof messages> | undefined;
let taps: Record<string, number> = {};

const render = () => {
  const room = session?.room;
  $('phase').textContent = room?.phase ?? '-';
  $('seat').textContent = session ? `${session.seatId} (${session.role})` : '-';
  $('seats').innerHTML = (room?.seats ?? [])
    .map(
      (s) =>
        `<li>${s.seatId} ${s.name} ${s.role}${s.ready ? ' ✓ ready' : ''}${s.connected ? '' : ' (away)'} · taps ${taps[s.seatId] ?? 0}</li>`,
    )
    .join('');
  const inSetup = room?.phase.startsWith('setup') ?? false;
  ($('ready') as HTMLButtonElement).disabled = !session || !inSetup;
  ($('set') as HTMLButtonElement).disabled = !session || !inSetup;
  ($('tap') as HTMLButtonElement).disabled = !room?.phase.startsWith('running');
};

const attach = (s: RoomSession<typeof messages>) => {
  session = s;
  s.onRoom(render);
  s.on('score', (score) => {
    taps = score.taps;
    render();
  });
  s.on('winner', ({ seatId }) => ($('log').textContent = `Winner: ${seatId}`));
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
$('tap').onclick = () => session?.send('tap', {});
$('set').onclick = () => session?.setup({ target: Number(($('target') as HTMLInputElement).value) });

const stored = sessionStorage.getItem(`chartroom:${roomId}`);
if (stored) client.resume(stored).then(attach, () => sessionStorage.removeItem(`chartroom:${roomId}`));
