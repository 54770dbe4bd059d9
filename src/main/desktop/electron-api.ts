/**
 * The parts of the `electron` module the desktop shell uses, as narrow interfaces. index.ts passes
 * the real module (so the compiler checks Electron still has this shape); the tests pass a
 * stand-in written against the same interfaces (so it cannot drift from what the shell calls).
 */
import type {
  BrowserWindowConstructorOptions,
  Event as ElectronEvent,
  HandlerDetails,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  MessageBoxReturnValue,
  OpenDialogOptions,
  OpenDialogReturnValue,
  Rectangle,
  WindowOpenHandlerResponse,
} from 'electron';

export type { MenuItemConstructorOptions, Rectangle };

/** What a listener may do with an event: the shell only ever prevents the default. */
export interface Preventable {
  preventDefault(): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
  on(event: 'will-navigate', listener: (e: ElectronEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: ElectronEvent) => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  isDestroyed(): boolean;
  session: {
    setPermissionRequestHandler(
      handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
    ): void;
  };
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  on(event: 'close' | 'closed' | 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  loadFile(path: string): Promise<void>;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isMaximized(): boolean;
  restore(): void;
  maximize(): void;
  show(): void;
  focus(): void;
  getNormalBounds(): Rectangle;
}

export interface IpcEventLike {
  sender: WebContentsLike;
  senderFrame: { url: string } | null;
}

export interface UtilityChildLike {
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/**
 * `W` is the window class: dialogs take the windows this module's BrowserWindow makes (the real
 * dialog takes any BaseWindow, which a stand-in's window is not).
 */
export interface DesktopElectron<W extends BrowserWindowLike = BrowserWindowLike> {
  app: {
    isPackaged: boolean;
    whenReady(): Promise<void>;
    getPath(name: 'userData'): string;
    getVersion(): string;
    getLocale(): string;
    requestSingleInstanceLock(): boolean;
    addRecentDocument(path: string): void;
    quit(): void;
    exit(code?: number): void;
    on(event: 'window-all-closed', listener: () => void): unknown;
    on(
      event: 'second-instance',
      listener: (e: ElectronEvent, argv: string[], workingDirectory: string) => void,
    ): unknown;
    on(event: 'open-file', listener: (e: ElectronEvent, path: string) => void): unknown;
    on(
      event: 'web-contents-created',
      listener: (e: ElectronEvent, contents: WebContentsLike) => void,
    ): unknown;
  };
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W;
  ipcMain: {
    handle(
      channel: string,
      listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>,
    ): void;
    on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  };
  dialog: {
    showOpenDialog(window: W, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showMessageBox(window: W, options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
    showErrorBox(title: string, content: string): void;
  };
  Menu: {
    buildFromTemplate(template: MenuItemConstructorOptions[]): unknown;
    setApplicationMenu(menu: unknown): void;
  };
  utilityProcess: {
    fork(
      modulePath: string,
      args?: string[],
      options?: { serviceName?: string; stdio?: 'pipe' | 'ignore' | 'inherit' },
    ): UtilityChildLike;
  };
  shell: {
    openPath(path: string): Promise<string>;
    openExternal(url: string): Promise<void>;
  };
  screen: { getAllDisplays(): { workArea: Rectangle }[] };
}
