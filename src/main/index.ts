/**
 * The Electron shell: a window, a menu, native dialogs and IPC, nothing else. Every service lives
 * in the Electron-free host (src/main/host), shared with the web shell and the CLI.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, shell } from 'electron';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, eventNames } from '../shared/api';
import { errorResult, type CallResult } from '../shared/wire';
import { utilityProcessLauncher } from './electron-launcher';
import { createHost, type Host } from './host/host';
import { builtAppPaths } from './paths';

const paths = builtAppPaths(import.meta.dirname);
const rendererUrl = process.env.ELECTRON_RENDERER_URL;
let host: Host | null = null;
let mainWindow: BrowserWindow | null = null;

function isOwnPage(url: string): boolean {
  if (rendererUrl) return url.startsWith(rendererUrl);
  if (!url.startsWith('file://')) return false;
  const rel = relative(paths.rendererDir, fileURLToPath(url.split('#')[0]));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Latent Lab',
    webPreferences: {
      preload: paths.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  mainWindow.on('closed', () => (mainWindow = null));
  const contents = mainWindow.webContents;
  // Navigation and new windows are blocked; external links open in the system browser.
  contents.on('will-navigate', (e, url) => {
    if (!isOwnPage(url)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (rendererUrl) void mainWindow.loadURL(rendererUrl);
  else void mainWindow.loadFile(join(paths.rendererDir, 'index.html'));
}

async function start(): Promise<void> {
  await app.whenReady();
  host = await createHost({
    dataDir: process.env.LATENT_LAB_DATA_DIR ?? app.getPath('userData'),
    dbPath: process.env.LATENT_LAB_DB,
    resourcesDir: paths.resourcesDir,
    launchWorker: utilityProcessLauncher(paths.workerPath),
    formulaThreadPath: paths.formulaThreadPath,
    version: app.getVersion(),
    warmWorker: true,
    chooseFolder: async () => {
      const r = await dialog.showOpenDialog(mainWindow!, {
        title: 'Export to folder',
        properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    // better-sqlite3 must be built for Electron's ABI; that build is kept apart from Node's.
    nativeBinding: process.env.LATENT_LAB_SQLITE_BINDING,
  });
  ipcMain.handle(
    'latent-lab:call',
    async (event, name: unknown, input: unknown): Promise<CallResult> => {
      // Only our own page may call the host.
      if (
        !mainWindow ||
        event.sender !== mainWindow.webContents ||
        !isOwnPage(event.senderFrame?.url ?? '')
      )
        return {
          ok: false,
          error: { code: 'invalid-input', message: 'request from an unknown sender refused' },
        };
      try {
        return { ok: true, value: await host!.handle(String(name), input) };
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
        return errorResult(err);
      }
    },
  );
  for (const name of eventNames)
    host.on(name, (payload) => {
      if (mainWindow && !mainWindow.isDestroyed())
        mainWindow.webContents.send(`latent-lab:event:${name}`, payload);
    });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
  createWindow();
}

app.on('window-all-closed', () => {
  try {
    host?.close();
  } finally {
    app.quit();
  }
});

start().catch((e: unknown) => {
  console.error(e);
  app.exit(1);
});
