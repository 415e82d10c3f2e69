/**
 * The server side of the WebSocket opening handshake (RFC 6455 section 4.2): check the upgrade
 * request, answer 101 with the accept key, or refuse with an HTTP error and close. No extension
 * and no subprotocol is ever selected.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A Sec-WebSocket-Key: 16 random bytes in base64. */
const KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/** The Sec-WebSocket-Accept answering a key. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

function refuse(socket: Duplex, status: string, reason: string, extra = ''): false {
  if (!socket.writable) {
    socket.destroy();
    return false;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n${extra}\r\n${reason}`,
  );
  return false;
}

/** Why an upgrade request is not a WebSocket handshake this server takes, or undefined. */
export function handshakeProblem(
  request: IncomingMessage,
): { status: string; reason: string; extra?: string } | undefined {
  if (request.method !== 'GET')
    return { status: '405 Method Not Allowed', reason: 'The handshake is a GET.' };
  if ((request.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    return { status: '400 Bad Request', reason: 'Upgrade: websocket expected.' };
  }
  const version = request.headers['sec-websocket-version'];
  if (version !== '13') {
    return {
      status: '426 Upgrade Required',
      reason: 'Sec-WebSocket-Version 13 expected.',
      extra: 'Sec-WebSocket-Version: 13\r\n',
    };
  }
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key.trim())) {
    return { status: '400 Bad Request', reason: 'Missing or malformed Sec-WebSocket-Key.' };
  }
  return undefined;
}

/**
 * Answer the handshake on `socket`: true when the link is open (101 sent), false when it was
 * refused (an HTTP error sent and the socket closed).
 */
export function completeHandshake(request: IncomingMessage, socket: Duplex): boolean {
  const problem = handshakeProblem(request);
  if (problem) return refuse(socket, problem.status, problem.reason, problem.extra);
  if (!socket.writable) {
    socket.destroy();
    return false;
  }
  const key = (request.headers['sec-websocket-key'] as string).trim();
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
  );
  return true;
}
