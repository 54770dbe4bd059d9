/**
 * The renderer's one client for the contract. In Electron it goes through the preload bridge;
 * in a browser (the web shell) over a WebSocket carrying binary frames. Pages see only `Api`.
 */
import {
  ApiError,
  EXPORT_ZIP_PATH,
  type Api,
  type EventName,
  type Events,
  type RequestName,
  type RequestOutput,
} from '../../shared/api';
import { currentLanguage } from './i18n';
import {
  decodeFrame,
  encodeFrame,
  errorFromResult,
  type CallResult,
  type ClientMessage,
  type ServerMessage,
} from '../../shared/wire';

interface Bridge {
  invoke(name: string, input: unknown): Promise<CallResult>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

type Listener = (payload: unknown) => void;

function unwrap(r: CallResult): unknown {
  if (r.ok) return r.value;
  throw errorFromResult(r.error, currentLanguage());
}

function electronApi(bridge: Bridge): Api {
  return {
    call: async (name, input) => unwrap(await bridge.invoke(name, input)) as never,
    on: (event, listener) => bridge.subscribe(event, listener as Listener),
  };
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** Waits between attempts to connect again: doubling from the first to the last. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_LAST_MS = 5000;

/**
 * The web shell's transport. A closed socket (the server dropped a client that fell behind, or
 * restarted) is opened again, waiting longer each time; `onReconnect` then tells the app to
 * fetch what it shows again, since events pushed meanwhile were lost. Listeners stay subscribed.
 */
function webSocketApi(onState: (s: ConnectionState) => void, onReconnect: () => void): Api {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  let nextId = 1;
  let wait = RECONNECT_FIRST_MS;
  let everOpen = false;
  let ws: WebSocket;
  let opened: Promise<void>;

  function connect(): void {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    ws = socket;
    opened = new Promise<void>((resolve, reject) => {
      socket.onopen = () => {
        wait = RECONNECT_FIRST_MS;
        onState('open');
        if (everOpen) onReconnect();
        everOpen = true;
        resolve();
      };
      socket.onerror = () =>
        reject(new ApiError('internal', 'cannot connect to the Latent Lab server'));
    });
    opened.catch(() => undefined);
    socket.onclose = () => {
      onState('closed');
      for (const p of pending.values())
        p.reject(new ApiError('internal', 'connection to the server closed'));
      pending.clear();
      setTimeout(connect, wait);
      wait = Math.min(2 * wait, RECONNECT_LAST_MS);
    };
    socket.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      const m = decodeFrame(new Uint8Array(e.data)) as ServerMessage;
      if (m.t === 'event') for (const l of listeners.get(m.name) ?? []) l(m.payload);
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (!p) return;
        try {
          p.resolve(unwrap(m));
        } catch (err) {
          p.reject(err);
        }
      }
    };
  }
  connect();

  return {
    async call<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>> {
      await opened;
      // A browser drops sends on a closed socket without a word: fail at once instead.
      if (ws.readyState !== WebSocket.OPEN)
        throw new ApiError('internal', 'connection to the server closed');
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(encodeFrame({ t: 'call', id, name, input } satisfies ClientMessage));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    zipUrl: (ids) => `${EXPORT_ZIP_PATH}?ids=${ids.join(',')}`,
  };
}

/**
 * The app's client: `onState` follows the connection, `onReconnect` says the web shell's socket
 * was opened again (what the page shows must be fetched again).
 */
export function createApi(onState: (s: ConnectionState) => void, onReconnect: () => void): Api {
  const bridge = (window as unknown as { latentLab?: Bridge }).latentLab;
  if (bridge) {
    onState('open');
    return electronApi(bridge);
  }
  // The token in the address has become a cookie (set by the server): keep it out of history.
  const url = new URL(location.href);
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return webSocketApi(onState, onReconnect);
}
