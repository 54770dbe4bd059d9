/**
 * The Electron shell's logic: one window, the application menu, native dialogs, files opened from
 * the OS, and IPC to the host. It takes the electron API as a parameter (index.ts passes the real
 * one, the tests a stand-in), so everything here runs in the tests but the window itself.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, eventNames, type DatasetMeta, type RequestName } from '../../shared/api';
import {
  DESKTOP_COMMAND_CHANNEL,
  DESKTOP_LANGUAGE_CHANNEL,
  DESKTOP_READY_CHANNEL,
  isTableFile,
  type DesktopCommand,
} from '../../shared/desktop';
import { languages, translate, type Language, type MessageKey } from '../../shared/i18n';
import { errorResult, type CallResult } from '../../shared/wire';
import { utilityProcessLauncher } from '../electron-launcher';
import { createHost, type Host, type HostOptions } from '../host/host';
import { builtAppPaths } from '../paths';
import type {
  BrowserWindowLike,
  DesktopElectron,
  IpcEventLike,
  WebContentsLike,
} from './electron-api';
import { desktopMenu } from './menu';
import { loadWindowState, saveWindowState } from './window-state';

export const CALL_CHANNEL = 'latent-lab:call';
export const WINDOW_STATE_FILE = 'window-state.json';
/** How many data sets "Open recent data" lists. */
const RECENT_COUNT = 8;

export interface DesktopOptions<W extends BrowserWindowLike> {
  electron: DesktopElectron<W>;
  paths: ReturnType<typeof builtAppPaths>;
  env?: NodeJS.ProcessEnv;
  /** This launch's command line (process.argv) and folder: a table named there is opened. */
  argv?: string[];
  cwd?: string;
  platform?: NodeJS.Platform;
  /** Shown in About (process.versions in Electron). */
  versions?: Partial<Record<'electron' | 'chrome' | 'node' | 'v8', string>>;
  /** The tests open the host with their own options; the app uses createHost. */
  openHost?: (options: HostOptions) => Promise<Host>;
}

export interface Desktop<W extends BrowserWindowLike> {
  host: Host;
  window(): W | null;
  /** Shows a table file in the import's preview (what a drop, a menu or a launch does). */
  openTable(path: string): void;
  /** Data sets shown under File › Open recent data (refreshed on `datasets.changed`). */
  refreshMenu(): Promise<void>;
}

/** The one table file named on a command line, resolved against the folder it was given in. */
export function tableFileIn(argv: string[], cwd: string): string | null {
  // argv[0] is the executable (and `electron .` adds the app folder): only existing table files.
  for (const arg of argv.slice(1).reverse()) {
    if (arg.startsWith('-') || !isTableFile(arg)) continue;
    const path = resolve(cwd, arg);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

/** The runs the page shows (a run page or a comparison), read from its address. */
export function runsShownAt(url: string): number[] {
  const hash = url.includes('#') ? url.slice(url.indexOf('#')) : '';
  const run = /^#\/run\/(\d+)/.exec(hash);
  if (run) return [Number(run[1])];
  const compare = /^#\/compare\?(.*)$/.exec(hash);
  if (!compare) return [];
  const ids = (new URLSearchParams(compare[1]).get('ids') ?? '').split(',').map(Number);
  return ids.filter((n) => Number.isInteger(n) && n > 0);
}

export async function startDesktop<W extends BrowserWindowLike>(
  options: DesktopOptions<W>,
): Promise<Desktop<W> | null> {
  const { electron, paths } = options;
  const { app, BrowserWindow, dialog, ipcMain, Menu, shell } = electron;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const rendererUrl = env.ELECTRON_RENDERER_URL;

  // A second launch hands its command line to the first (below) and quits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  let host: Host | null = null;
  let win: W | null = null;
  let lang: Language = app.getLocale().toLowerCase().startsWith('zh') ? 'zh' : 'en';
  let recent: { id: number; name: string }[] = [];
  /** Commands for the page, held until it says it listens. */
  let pageReady = false;
  const pending: DesktopCommand[] = [];
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars);

  function isOwnPage(url: string): boolean {
    if (rendererUrl) return url.startsWith(rendererUrl);
    if (!url.startsWith('file://')) return false;
    const rel = relative(paths.rendererDir, fileURLToPath(url.split('#')[0]));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  /** Only our window's own page may talk to the main process: not a frame it embeds. */
  function fromOwnPage(event: IpcEventLike): boolean {
    return (
      win !== null &&
      !win.isDestroyed() &&
      event.sender === win.webContents &&
      isOwnPage(event.senderFrame?.url ?? '')
    );
  }

  function send(command: DesktopCommand): void {
    if (win && !win.isDestroyed() && pageReady)
      win.webContents.send(DESKTOP_COMMAND_CHANNEL, command);
    else pending.push(command);
  }

  function focusWindow(): void {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  async function showError(e: unknown): Promise<void> {
    if (!win) return;
    await dialog.showMessageBox(win, {
      type: 'error',
      message: t('desktop.failed'),
      detail: e instanceof Error ? e.message : String(e),
      buttons: [t('desktop.ok')],
    });
  }

  function openTable(path: string): void {
    if (!isTableFile(path)) {
      if (win)
        void dialog.showMessageBox(win, {
          type: 'warning',
          message: t('desktop.notATable', { file: basename(path) }),
          buttons: [t('desktop.ok')],
        });
      return;
    }
    app.addRecentDocument(path);
    focusWindow();
    send({ kind: 'open-table', path });
  }

  function call<N extends RequestName>(name: N, input: unknown) {
    return host!.handle(name, input);
  }

  async function importTable(): Promise<void> {
    if (!win) return;
    const r = await dialog.showOpenDialog(win, {
      title: t('desktop.importTitle'),
      properties: ['openFile'],
      filters: [{ name: t('desktop.tableFiles'), extensions: ['csv', 'tsv', 'txt', 'xlsx'] }],
    });
    const path = r.canceled ? undefined : r.filePaths[0];
    if (path) openTable(path);
  }

  async function chooseFolder(): Promise<string | null> {
    if (!win) return null;
    const r = await dialog.showOpenDialog(win, {
      title: t('desktop.exportTitle'),
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }

  async function exportRun(): Promise<void> {
    if (!win) return;
    const ids = runsShownAt(win.webContents.getURL());
    if (ids.length === 0) {
      await dialog.showMessageBox(win, {
        type: 'info',
        message: t('desktop.exportNoRun'),
        buttons: [t('desktop.ok')],
      });
      return;
    }
    const dir = await chooseFolder();
    if (!dir) return;
    try {
      try {
        await call('runs.export', { ids, dir });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'exists')) throw e;
        const replace = await dialog.showMessageBox(win, {
          type: 'question',
          message: t('desktop.exportExists', { dir }),
          buttons: [t('desktop.replace'), translate(lang, 'common.cancel')],
          defaultId: 1,
          cancelId: 1,
        });
        if (replace.response !== 0) return;
        await call('runs.export', { ids, dir, overwrite: true });
      }
      const done = await dialog.showMessageBox(win, {
        type: 'info',
        message: t('desktop.exported', { dir }),
        buttons: [t('desktop.ok'), t('desktop.showFolder')],
      });
      if (done.response === 1) await shell.openPath(dir);
    } catch (e) {
      await showError(e);
    }
  }

  async function dataDir(): Promise<string> {
    return ((await call('app.info', {})) as { dataDir: string }).dataDir;
  }

  async function about(): Promise<void> {
    if (!win) return;
    const info = (await call('app.info', {})) as { version: string; dataDir: string };
    const v = options.versions ?? process.versions;
    await dialog.showMessageBox(win, {
      type: 'info',
      title: t('menu.about'),
      message: `Latent Lab ${info.version}`,
      detail: t('desktop.aboutDetail', {
        version: info.version,
        electron: v.electron ?? '?',
        chrome: v.chrome ?? '?',
        node: v.node ?? '?',
        v8: v.v8 ?? '?',
        dataDir: info.dataDir,
      }),
      buttons: [t('desktop.ok')],
    });
  }

  function setLanguage(next: Language, fromPage = false): void {
    lang = next;
    buildMenu();
    if (!fromPage) send({ kind: 'language', lang });
  }

  function buildMenu(): void {
    const template = desktopMenu(
      { lang, recent, platform },
      {
        importTable: () => void importTable().catch(showError),
        openDataset: (id) => {
          focusWindow();
          send({ kind: 'navigate', hash: `#/data/${id}` });
        },
        exportRun: () => void exportRun(),
        openDataFolder: () =>
          void dataDir()
            .then((d) => shell.openPath(d))
            .catch(showError),
        setLanguage: (l) => setLanguage(l),
        about: () => void about().catch(showError),
        readme: () => void shell.openPath(paths.readmePath).catch(showError),
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  async function refreshMenu(): Promise<void> {
    const all = (await call('datasets.list', {})) as DatasetMeta[];
    recent = all
      .filter((d) => !d.builtin)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
      .slice(0, RECENT_COUNT)
      .map((d) => ({ id: d.id, name: d.name }));
    buildMenu();
  }

  /** Every page Electron makes (ours, or any a bug lets in) may not navigate away or open windows. */
  function harden(contents: WebContentsLike): void {
    contents.on('will-navigate', (e, url) => {
      if (isOwnPage(url)) return;
      e.preventDefault();
      // A file dropped where the page did not catch it would replace the page: import it instead.
      if (url.startsWith('file://')) {
        const path = fileURLToPath(url);
        if (isTableFile(path)) openTable(path);
      }
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  }

  function createWindow(): W {
    const stateFile = join(app.getPath('userData'), WINDOW_STATE_FILE);
    const state = loadWindowState(stateFile, electron.screen.getAllDisplays());
    const w = new BrowserWindow({
      x: state.x,
      y: state.y,
      width: state.width,
      height: state.height,
      minWidth: 800,
      minHeight: 560,
      show: false,
      title: 'Latent Lab',
      icon: paths.iconPath,
      webPreferences: {
        preload: paths.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      },
    });
    w.on('ready-to-show', () => {
      if (state.maximized) w.maximize();
      w.show();
    });
    w.on('close', () => {
      try {
        saveWindowState(stateFile, w.getNormalBounds(), w.isMaximized());
      } catch (e) {
        console.error('window state not saved:', e);
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
      pageReady = false;
    });
    // The page asks nothing of the browser: camera, notifications, … are all refused.
    w.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) =>
      callback(false),
    );
    harden(w.webContents);
    if (rendererUrl) void w.loadURL(rendererUrl);
    else void w.loadFile(join(paths.rendererDir, 'index.html'));
    return w;
  }

  // Registered before the app is ready: the OS may hand over a file at once (macOS open-file).
  app.on('second-instance', (_e, argv, workingDirectory) => {
    const path = tableFileIn(argv, workingDirectory);
    if (path) openTable(path);
    else focusWindow();
  });
  app.on('open-file', (e, path) => {
    e.preventDefault();
    openTable(path);
  });
  app.on('web-contents-created', (_e, contents) => harden(contents));
  app.on('window-all-closed', () => {
    try {
      host?.close();
    } finally {
      app.quit();
    }
  });

  await app.whenReady();
  host = await (options.openHost ?? createHost)({
    dataDir: env.LATENT_LAB_DATA_DIR ?? app.getPath('userData'),
    dbPath: env.LATENT_LAB_DB,
    resourcesDir: paths.resourcesDir,
    launchWorker: utilityProcessLauncher(electron.utilityProcess, paths.workerPath),
    formulaThreadPath: paths.formulaThreadPath,
    version: app.getVersion(),
    warmWorker: true,
    chooseFolder,
    // better-sqlite3 built for Electron's ABI, kept apart from Node's (prepared by `npm start`;
    // a packaged app has its own rebuilt copy and needs none).
    nativeBinding: env.LATENT_LAB_SQLITE_BINDING || undefined,
  });
  const openHost = host;

  ipcMain.handle(CALL_CHANNEL, async (event, name, input): Promise<CallResult> => {
    if (!fromOwnPage(event))
      return {
        ok: false,
        error: { code: 'invalid-input', message: 'request from an unknown sender refused' },
      };
    try {
      return { ok: true, value: await openHost.handle(String(name), input) };
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
      return errorResult(err);
    }
  });
  ipcMain.on(DESKTOP_READY_CHANNEL, (event, pageLang) => {
    if (!fromOwnPage(event)) return;
    pageReady = true;
    if (typeof pageLang === 'string' && pageLang in languages && pageLang !== lang)
      setLanguage(pageLang as Language, true);
    for (const command of pending.splice(0)) send(command);
  });
  ipcMain.on(DESKTOP_LANGUAGE_CHANNEL, (event, pageLang) => {
    if (fromOwnPage(event) && typeof pageLang === 'string' && pageLang in languages)
      setLanguage(pageLang as Language, true);
  });
  for (const name of eventNames)
    openHost.on(name, (payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(`latent-lab:event:${name}`, payload);
    });
  openHost.on('datasets.changed', () => void refreshMenu().catch(() => {}));

  win = createWindow();
  await refreshMenu();
  const launched = tableFileIn(options.argv ?? process.argv, options.cwd ?? process.cwd());
  if (launched) openTable(launched);

  return { host: openHost, window: () => win, openTable, refreshMenu };
}
