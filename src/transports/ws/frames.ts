/**
 * WebSocket framing (RFC 6455 section 5) for the server side of a link: a reader for the masked
 * frames a client sends and writers for the unmasked frames a server sends. No extension is
 * ever negotiated, so every RSV bit must be clear.
 */
import { isUtf8 } from 'node:buffer';

/** Close codes this transport uses (RFC 6455 section 7.4.1). */
export const CloseCode = {
  normal: 1000,
  protocolError: 1002,
  noStatus: 1005,
  invalidData: 1007,
  tooBig: 1009,
} as const;

/** What a reader hands on, in wire order. */
export interface FrameSink {
  /** A whole data message (fragments joined); text is already checked to be UTF-8. */
  message(data: Buffer | string): void;
  ping(payload: Buffer): void;
  pong(): void;
  /** The peer's close frame: its code (1005 when it gave none) and reason. */
  close(code: number, reason: string): void;
  /** The peer broke the protocol: close the link with this code. Nothing follows. */
  fail(code: number, reason: string): void;
}

/** A close code a peer may send (section 7.4): 1000-1003, 1007-1014 and 3000-4999. */
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** XOR `payload` with the 4-byte mask at `data[at]`, in place. */
function unmask(payload: Buffer, data: Buffer, at: number): void {
  const m0 = data[at] as number;
  const m1 = data[at + 1] as number;
  const m2 = data[at + 2] as number;
  const m3 = data[at + 3] as number;
  if ((m0 | m1 | m2 | m3) === 0) return;
  const length = payload.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    payload[i] = (payload[i] as number) ^ m0;
    payload[i + 1] = (payload[i + 1] as number) ^ m1;
    payload[i + 2] = (payload[i + 2] as number) ^ m2;
    payload[i + 3] = (payload[i + 3] as number) ^ m3;
  }
  for (let k = 0; i < length; i++, k++) payload[i] = (payload[i] as number) ^ (data[at + k] as number);
}

/**
 * Reads a client's byte stream into frames. Chunks may split or join frames anywhere; a frame
 * whole within one chunk (the usual case) is read in place, without a copy.
 */
export class FrameReader {
  readonly #sink: FrameSink;
  readonly #maxPayload: number;
  /** Chunks of an incomplete frame, kept until the rest arrives (joined once, not per chunk). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes the incomplete frame needs at least (all of it once its header is known). */
  #need = 0;
  /** Fragments of a message that has not ended yet. */
  #fragments: Buffer[] | undefined;
  #fragmentBytes = 0;
  #fragmentText = false;
  #done = false;

  constructor(sink: FrameSink, maxPayload: number) {
    this.#sink = sink;
    this.#maxPayload = maxPayload;
  }

  push(chunk: Buffer): void {
    if (this.#done) return;
    let data = chunk;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      // A frame trickling in a byte at a time is joined once it is whole, not on every chunk.
      if (this.#pendingBytes < this.#need) return;
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    let offset = 0;
    while (offset < data.length && !this.#done) {
      const used = this.#frame(data, offset);
      if (used === 0) break;
      offset += used;
    }
    if (!this.#done && offset < data.length) {
      this.#pending = [data.subarray(offset)];
      this.#pendingBytes = data.length - offset;
    }
  }

  /** Incomplete: wait until `bytes` from the frame's start are here. */
  #wait(bytes: number): 0 {
    this.#need = bytes;
    return 0;
  }

  #fail(code: number, reason: string): 0 {
    this.#done = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#fragments = undefined;
    this.#sink.fail(code, reason);
    return 0;
  }

  /** Read one frame at `offset`: the bytes it took, or 0 when incomplete (or on failure). */
  #frame(data: Buffer, offset: number): number {
    const available = data.length - offset;
    if (available < 2) return this.#wait(2);
    const b0 = data[offset] as number;
    const b1 = data[offset + 1] as number;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0)
      return this.#fail(CloseCode.protocolError, 'RSV bits set: no extension was negotiated');
    if ((b1 & 0x80) === 0) return this.#fail(CloseCode.protocolError, 'A client frame must be masked');
    const control = opcode >= 0x8;
    if (control ? opcode > 0xa : opcode > 0x2) {
      return this.#fail(CloseCode.protocolError, `Unknown opcode 0x${opcode.toString(16)}`);
    }
    let length = b1 & 0x7f;
    let at = offset + 2;
    if (control && (!fin || length > 125)) {
      return this.#fail(CloseCode.protocolError, 'A control frame must be whole and at most 125 bytes');
    }
    if (length === 126) {
      if (available < 4) return this.#wait(4);
      length = data.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (available < 10) return this.#wait(10);
      const high = data.readUInt32BE(at);
      // Over 2^53 cannot be counted exactly, and is far beyond any limit anyway.
      if (high > 0x1fffff) return this.#fail(CloseCode.tooBig, 'Frame too large');
      length = high * 2 ** 32 + data.readUInt32BE(at + 4);
      at += 8;
    }
    if (!control && this.#fragmentBytes + length > this.#maxPayload) {
      return this.#fail(CloseCode.tooBig, `Message over ${this.#maxPayload} bytes`);
    }
    if (data.length - at < 4 + length) return this.#wait(at - offset + 4 + length);
    const mask = at;
    at += 4;
    const payload = data.subarray(at, at + length);
    unmask(payload, data, mask);
    at += length;
    if (control) this.#control(opcode, payload);
    else this.#data(opcode, fin, payload);
    return at - offset;
  }

  #control(opcode: number, payload: Buffer): void {
    if (opcode === 0x9) return this.#sink.ping(payload);
    if (opcode === 0xa) return this.#sink.pong();
    // Close: nothing is read after it.
    this.#done = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (payload.length === 0) return this.#sink.close(CloseCode.noStatus, '');
    if (payload.length === 1) return void this.#fail(CloseCode.protocolError, 'A close payload of one byte');
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code))
      return void this.#fail(CloseCode.protocolError, `Invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) return void this.#fail(CloseCode.invalidData, 'A close reason that is not UTF-8');
    this.#sink.close(code, reason.toString('utf8'));
  }

  #data(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x0) {
      if (!this.#fragments)
        return void this.#fail(CloseCode.protocolError, 'A continuation frame with no message to continue');
      this.#fragments.push(payload);
      this.#fragmentBytes += payload.length;
      if (!fin) return;
      const whole = Buffer.concat(this.#fragments, this.#fragmentBytes);
      const text = this.#fragmentText;
      this.#fragments = undefined;
      this.#fragmentBytes = 0;
      return this.#deliver(whole, text);
    }
    if (this.#fragments)
      return void this.#fail(CloseCode.protocolError, 'A new message before the last one ended');
    if (fin) return this.#deliver(payload, opcode === 0x1);
    // A fragment may sit in a chunk read later; keep a copy, not a view of this chunk.
    this.#fragments = [Buffer.from(payload)];
    this.#fragmentBytes = payload.length;
    this.#fragmentText = opcode === 0x1;
  }

  #deliver(data: Buffer, text: boolean): void {
    if (!text) return this.#sink.message(data);
    if (!isUtf8(data)) return void this.#fail(CloseCode.invalidData, 'A text message that is not UTF-8');
    this.#sink.message(data.toString('utf8'));
  }
}

/** The header of an unmasked server frame with FIN set, for a payload of `length` bytes. */
function header(opcode: number, length: number): { bytes: Buffer; size: number } {
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(size + length);
  bytes[0] = 0x80 | opcode;
  if (size === 2) {
    bytes[1] = length;
  } else if (size === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    bytes.writeUInt32BE(length >>> 0, 6);
  }
  return { bytes, size };
}

/**
 * One data frame as a server sends it: FIN, no mask, header and payload in one buffer. Text is
 * encoded straight into the frame.
 */
export function dataFrame(payload: Uint8Array | string, binary: boolean): Buffer {
  const opcode = binary ? 0x2 : 0x1;
  if (typeof payload === 'string') {
    const { bytes, size } = header(opcode, Buffer.byteLength(payload, 'utf8'));
    bytes.write(payload, size, 'utf8');
    return bytes;
  }
  const { bytes, size } = header(opcode, payload.byteLength);
  bytes.set(payload, size);
  return bytes;
}

/** A ping or pong frame (payload at most 125 bytes). */
export function controlFrame(kind: 'ping' | 'pong', payload: Uint8Array = new Uint8Array(0)): Buffer {
  const { bytes, size } = header(kind === 'ping' ? 0x9 : 0xa, payload.byteLength);
  bytes.set(payload, size);
  return bytes;
}

/**
 * A close frame: with no code, an empty one (the answer to a close that gave none); the reason
 * is cut to fit a control frame (123 bytes of UTF-8, whole characters).
 */
export function closeFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) return header(0x8, 0).bytes;
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 123) {
    let end = 123;
    // Do not cut a character in half: step back over continuation bytes (10xxxxxx).
    while (end > 0 && ((text[end] as number) & 0xc0) === 0x80) end--;
    text = text.subarray(0, end);
  }
  const { bytes } = header(0x8, 2 + text.length);
  bytes.writeUInt16BE(code, 2);
  bytes.set(text, 4);
  return bytes;
}
