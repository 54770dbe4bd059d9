/**
 * One WebSocket client of the web shell: its calls answered, the host's events pushed, and both
 * bounded. Every frame gets an answer or a close with a reason: a text frame, a frame that does
 * not decode or is not a call closes the socket saying why (a call with a usable id is answered
 * with an error instead). A client that stops reading is not buffered for without limit: past
 * MAX_UNREAD_EVENT_BYTES of pushed events it has not read it is dropped (closed with 1013 and a
 * reason, then cut off), and catches up from the store when it connects again; past
 * MAX_UNREAD_BYTES of unread frames of any kind its requests wait until it reads. Its calls run
 * at most MAX_CALLS_IN_FLIGHT at a time; the rest wait in order (and past MAX_WAITING_CALLS its
 * socket is not read), so a burst of calls cannot queue unbounded answers either.
 */
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { ApiError, truncateText } from '../shared/api';
import { decodeFrame, encodeFrame, errorResult, type ServerMessage } from '../shared/wire';

/** Events a client may leave unread before it is dropped. */
export const MAX_UNREAD_EVENT_BYTES = 8 * 1024 * 1024;
/** Frames of any kind (answers too) it may leave unread before its requests wait. */
export const MAX_UNREAD_BYTES = 64 * 1024 * 1024;
/** A client's calls being answered at once; more wait their turn. */
export const MAX_CALLS_IN_FLIGHT = 32;
/** Calls waiting their turn past which the client's socket is not read. */
const MAX_WAITING_CALLS = 256;
/** A dropped client's socket is cut this long after the close frame it may never read. */
const CLOSE_GRACE_MS = 2000;
/** Close reasons must fit a control frame (123 bytes of UTF-8): kept to plain ASCII this long. */
const MAX_REASON_CHARS = 120;

/** Close codes: RFC 6455's, used for what they say. */
const CLOSE = {
  unsupportedData: 1003,
  policy: 1008,
  tryAgainLater: 1013,
} as const;

const callSchema = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  name: z.string(),
  input: z.unknown(),
});
type Call = z.infer<typeof callSchema>;

export interface ClientLimits {
  maxUnreadEventBytes?: number;
  maxUnreadBytes?: number;
  closeGraceMs?: number;
}

export class WebClient {
  /** Bytes handed to the socket and not yet written out, and of those, events. */
  private unread = 0;
  private unreadEvents = 0;
  /** Set past the unread limit, cleared when half of it has been read. */
  private answersBacklogged = false;
  private readingPaused = false;
  private inFlight = 0;
  private readonly waitingCalls: Call[] = [];
  private dropped = false;
  private readonly maxUnreadEventBytes: number;
  private readonly maxUnreadBytes: number;
  private readonly closeGraceMs: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly handle: (name: string, input: unknown) => Promise<unknown>,
    limits: ClientLimits = {},
  ) {
    this.maxUnreadEventBytes = limits.maxUnreadEventBytes ?? MAX_UNREAD_EVENT_BYTES;
    this.maxUnreadBytes = limits.maxUnreadBytes ?? MAX_UNREAD_BYTES;
    this.closeGraceMs = limits.closeGraceMs ?? CLOSE_GRACE_MS;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
  }

  /** Pushes an event frame (encoded once for every client), or drops a client far behind. */
  pushEvent(frame: Uint8Array): void {
    if (this.dropped || this.ws.readyState !== this.ws.OPEN) return;
    if (this.unreadEvents + frame.byteLength > this.maxUnreadEventBytes) {
      const mb = Math.round(this.maxUnreadEventBytes / 2 ** 20);
      this.drop(`too slow: over ${mb} MB of events unread; reconnect to catch up`);
      return;
    }
    this.write(frame, true);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.dropped) return;
    if (!isBinary) return this.close(CLOSE.unsupportedData, 'text frames are not accepted');
    let message: unknown;
    try {
      message = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (e) {
      return this.close(CLOSE.unsupportedData, `malformed frame: ${(e as Error).message}`);
    }
    const call = callSchema.safeParse(message);
    if (!call.success) {
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        const refusal = new ApiError('invalid-input', 'a frame must be { t: "call", id, name }');
        this.reply({ t: 'result', id, ...errorResult(refusal) });
        return;
      }
      return this.close(CLOSE.policy, 'a frame must be { t: "call", id, name } with a numeric id');
    }
    this.waitingCalls.push(call.data);
    this.runCalls();
  }

  /** Starts waiting calls while the client reads its answers and few are under way. */
  private runCalls(): void {
    while (
      !this.answersBacklogged &&
      this.inFlight < MAX_CALLS_IN_FLIGHT &&
      this.waitingCalls.length > 0
    ) {
      const { id, name, input } = this.waitingCalls.shift()!;
      this.inFlight++;
      this.handle(name, input)
        .then(
          (value) => this.reply({ t: 'result', id, ok: true, value }),
          (e: unknown) => {
            const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
            this.reply({ t: 'result', id, ...errorResult(err) });
          },
        )
        .finally(() => {
          this.inFlight--;
          this.runCalls();
        });
    }
    this.updateReading();
  }

  /** The socket is read unless answers are backlogged or too many calls wait already. */
  private updateReading(): void {
    const pause = this.answersBacklogged || this.waitingCalls.length >= MAX_WAITING_CALLS;
    if (pause === this.readingPaused) return;
    this.readingPaused = pause;
    if (pause) this.ws.pause();
    else this.ws.resume();
  }

  private reply(message: ServerMessage): void {
    if (this.dropped || this.ws.readyState !== this.ws.OPEN) return;
    this.write(encodeFrame(message), false);
    if (!this.answersBacklogged && this.unread > this.maxUnreadBytes) {
      this.answersBacklogged = true;
      this.updateReading();
    }
  }

  private write(frame: Uint8Array, isEvent: boolean): void {
    const n = frame.byteLength;
    this.unread += n;
    if (isEvent) this.unreadEvents += n;
    // Called once the bytes are written out to the connection (or the socket is gone).
    this.ws.send(frame, () => {
      this.unread -= n;
      if (isEvent) this.unreadEvents -= n;
      if (this.answersBacklogged && this.unread <= this.maxUnreadBytes / 2) {
        this.answersBacklogged = false;
        this.runCalls();
      }
    });
  }

  private close(code: number, reason: string): void {
    this.ws.close(code, truncateText(reason.replace(/[^\x20-\x7e]/g, '?'), MAX_REASON_CHARS));
  }

  /** Closes with a reason, and cuts the connection if the close cannot get through. */
  private drop(reason: string): void {
    this.dropped = true;
    this.close(CLOSE.tryAgainLater, reason);
    setTimeout(() => this.ws.terminate(), this.closeGraceMs).unref();
  }

  /** Dropped for falling behind (its socket may take a moment more to close). */
  get isDropped(): boolean {
    return this.dropped;
  }
}
