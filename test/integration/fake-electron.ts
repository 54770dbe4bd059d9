/**
 * A stand-in for the parts of the `electron` module the desktop shell uses, typed against the
 * same interfaces as the real one (src/main/desktop/electron-api.ts). It records what the shell
 * asks of it (windows, menus, dialogs, shell calls, messages to the page) and lets a test act as
 * the user and the OS (click a menu item, answer a dialog, drop a file, launch again, close).
 * Its utility processes are real Node child processes running the built engine worker.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import type {
  BrowserWindowConstructorOptions,
  MessageBoxOptions,
  OpenDialogOptions,
} from 'electron';
import type {
  BrowserWindowLike,
  DesktopElectron,
  IpcEventLike,
  MenuItemConstructorOptions,
  Rectangle,
  UtilityChildLike,
  WebContentsLike,
} from '../../src/main/desktop/electron-api';

/** What Electron hands a listener: the shell only calls preventDefault. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}
// Electron's Event type has more members than the shell uses; the stand-in has those it uses.
const asEvent = (e: FakeEvent) => e as unknown as Electron.Event;

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  url = '';
  /** Every message sent to the page: [channel, ...args]. */
  sent: unknown[][] = [];
  windowOpenHandler: Parameters<WebContentsLike['setWindowOpenHandler']>[0] | null = null;
  permissionHandler:
    ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  destroyed = false;
  session = {
    setPermissionRequestHandler: (h: NonNullable<FakeWebContents['permissionHandler']>) => {
      this.permissionHandler = h;
    },
  };
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(handler: NonNullable<FakeWebContents['windowOpenHandler']>): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The page tries to go to `url`: true when the shell let it. */
  navigate(url: string): boolean {
    const e = new FakeEvent();
    this.emit('will-navigate', asEvent(e), url);
    return !e.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowLike {
  readonly webContents = new FakeWebContents();
  bounds: Rectangle;
  maximized = false;
  minimized = false;
  visible = false;
  focused = 0;
  destroyed = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.bounds = {
      x: options.x ?? 100,
      y: options.y ?? 100,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    this.emit('ready-to-show');
  }
  async loadFile(path: string): Promise<void> {
    return this.loadURL(pathToFileURL(path).href);
  }
  isDestroyed = () => this.destroyed;
  isMinimized = () => this.minimized;
  isMaximized = () => this.maximized;
  restore = () => void (this.minimized = false);
  maximize = () => void (this.maximized = true);
  show = () => void (this.visible = true);
  focus = () => void this.focused++;
  getNormalBounds = () => ({ ...this.bounds });
  /** The user closes the window (as Electron: 'close', then 'closed'). */
  close(): void {
    this.emit('close');
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Listener = (...args: never[]) => void;

export interface FakeElectron extends DesktopElectron<FakeBrowserWindow> {
  windows: FakeBrowserWindow[];
  /** The application menu last set. */
  menu(): MenuItemConstructorOptions[];
  /** Finds a menu item by id anywhere in the menu. */
  item(id: string): MenuItemConstructorOptions;
  /** Clicks a menu item as Electron would. */
  click(id: string): void;
  /** Calls a channel registered with ipcMain.handle / ipcMain.on, as a page would. */
  invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown>;
  sendFromPage(channel: string, event: IpcEventLike, ...args: unknown[]): void;
  /** The app emits an event (second-instance, open-file, window-all-closed, …). */
  emitApp(event: string, ...args: unknown[]): void;
  /** Answers to the next open dialogs (a path, or null for cancel), and to message boxes. */
  openDialogAnswers: (string | null)[];
  messageBoxAnswer: (options: MessageBoxOptions) => number;
  openDialogs: OpenDialogOptions[];
  messageBoxes: MessageBoxOptions[];
  openedPaths: string[];
  openedUrls: string[];
  recentDocuments: string[];
  forks: { modulePath: string; options: unknown; child: ChildProcess }[];
  quits: number;
  singleInstance: boolean;
}

/** A stand-in electron module; `userData` is the app's data folder. */
export function fakeElectron(userData: string, locale = 'en-US'): FakeElectron {
  const appEvents = new EventEmitter();
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  let menu: MenuItemConstructorOptions[] = [];
  const find = (
    items: MenuItemConstructorOptions[],
    id: string,
  ): MenuItemConstructorOptions | null => {
    for (const i of items) {
      if (i.id === id) return i;
      const inner = Array.isArray(i.submenu) ? find(i.submenu, id) : null;
      if (inner) return inner;
    }
    return null;
  };
  const fake: FakeElectron = {
    windows: [],
    openDialogAnswers: [],
    messageBoxAnswer: () => 0,
    openDialogs: [],
    messageBoxes: [],
    openedPaths: [],
    openedUrls: [],
    recentDocuments: [],
    forks: [],
    quits: 0,
    singleInstance: true,
    app: {
      isPackaged: false,
      whenReady: async () => {},
      getPath: () => userData,
      getVersion: () => '0.1.0',
      getLocale: () => locale,
      requestSingleInstanceLock: () => fake.singleInstance,
      addRecentDocument: (p: string) => void fake.recentDocuments.push(p),
      quit: () => void fake.quits++,
      exit: () => void fake.quits++,
      on: (event: string, l: Listener) => appEvents.on(event, l as (...args: unknown[]) => void),
    },
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(options: BrowserWindowConstructorOptions) {
        super(options);
        fake.windows.push(this);
      }
    },
    ipcMain: {
      handle: (channel, l) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, l);
      },
      on: (channel, l) => listeners.set(channel, l),
    },
    dialog: {
      showOpenDialog: async (_w, options) => {
        fake.openDialogs.push(options);
        const answer = fake.openDialogAnswers.shift() ?? null;
        return { canceled: answer === null, filePaths: answer === null ? [] : [answer] };
      },
      showMessageBox: async (_w, options) => {
        fake.messageBoxes.push(options);
        return { response: fake.messageBoxAnswer(options), checkboxChecked: false };
      },
      showErrorBox: (title, content) =>
        void fake.messageBoxes.push({ message: `${title}: ${content}` }),
    },
    Menu: {
      buildFromTemplate: (template) => template,
      setApplicationMenu: (m) => void (menu = m as MenuItemConstructorOptions[]),
    },
    utilityProcess: {
      // A real process running the module, with utilityProcess's interface over Node's IPC.
      fork(modulePath, _args, options) {
        const child = fork(modulePath, [], {
          serialization: 'advanced',
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        fake.forks.push({ modulePath, options, child });
        const utility: UtilityChildLike = {
          stdout: child.stdout,
          stderr: child.stderr,
          postMessage: (m) => void (child.connected && child.send(m as object)),
          on: (_event, l) => child.on('message', l),
          once: (_event, l) => child.once('exit', (code) => l(code ?? 1)),
          kill: () => child.kill('SIGKILL'),
        };
        return utility;
      },
    },
    shell: {
      openPath: async (p) => {
        fake.openedPaths.push(p);
        return '';
      },
      openExternal: async (u) => void fake.openedUrls.push(u),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    menu: () => menu,
    item(id) {
      const i = find(menu, id);
      if (!i) throw new Error(`no menu item ${id}`);
      return i;
    },
    click(id) {
      const i = fake.item(id);
      if (!i.click) throw new Error(`menu item ${id} has no click (role ${i.role})`);
      (i.click as () => void)();
    },
    async invoke(channel, event, ...args) {
      const h = handlers.get(channel);
      if (!h) throw new Error(`no handler for ${channel}`);
      return h(event, ...args);
    },
    sendFromPage(channel, event, ...args) {
      const l = listeners.get(channel);
      if (!l) throw new Error(`no listener for ${channel}`);
      l(event, ...args);
    },
    emitApp: (event, ...args) => void appEvents.emit(event, ...args),
  };
  return fake;
}

export { asEvent };
