/**
 * The Electron main process (src/main/desktop) under a stand-in for the electron module, with the
 * real host and the built engine worker: IPC, the menu, files from drops, launches and the OS,
 * the window's remembered place, single instance. Only the window itself is not here.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../../src/shared/wire';
import type { DatasetMeta, RunInfo } from '../../src/shared/api';
import { DESKTOP_COMMAND_CHANNEL, DESKTOP_READY_CHANNEL } from '../../src/shared/desktop';
import { createHost } from '../../src/main/host/host';
import { builtAppPaths } from '../../src/main/paths';
import {
  CALL_CHANNEL,
  WINDOW_STATE_FILE,
  startDesktop,
  tableFileIn,
  type Desktop,
} from '../../src/main/desktop/desktop-app';
import { fakeElectron, type FakeBrowserWindow, type FakeElectron } from './fake-electron';
import { requireBuilt, root, tempDir, workerPath } from './helpers';

const paths = builtAppPaths(join(root, 'out', 'main'));

/** What the page's own frame sends, or a frame at `url` inside it. */
const pageEvent = (w: FakeBrowserWindow, url = w.webContents.url) => ({
  sender: w.webContents,
  senderFrame: { url },
});

/** Commands the shell sent the page (after it said it listens). */
const commands = (w: FakeBrowserWindow) =>
  w.webContents.sent.filter((m) => m[0] === DESKTOP_COMMAND_CHANNEL).map((m) => m[1]);

interface Launched {
  electron: FakeElectron;
  desktop: Desktop<FakeBrowserWindow>;
  win: FakeBrowserWindow;
  /** Every host request the shell made itself (not the page's through IPC). */
  requests: string[];
}

async function launch(
  userData: string,
  argv: string[] = ['electron', '.'],
  cwd = userData,
): Promise<Launched> {
  const electron = fakeElectron(userData);
  const requests: string[] = [];
  const desktop = await startDesktop({
    electron,
    paths,
    env: { LATENT_LAB_DATA_DIR: userData },
    argv,
    cwd,
    platform: 'linux',
    versions: { electron: '38.8.6', chrome: '140.0', node: '22.20.0', v8: '14.0' },
    openHost: async (options) => {
      const host = await createHost(options);
      const handle = host.handle;
      host.handle = (name, input) => {
        requests.push(name);
        return handle(name, input);
      };
      return host;
    },
  });
  if (!desktop) throw new Error('no desktop');
  return { electron, desktop, win: electron.windows[0], requests };
}

/** The page, loaded, says it listens (as the preload's onDesktop does). */
function pageReady(l: Launched, lang = 'en'): void {
  l.electron.sendFromPage(DESKTOP_READY_CHANNEL, pageEvent(l.win), lang);
}

async function callAsPage(l: Launched, name: string, input: unknown, url?: string) {
  return (await l.electron.invoke(CALL_CHANNEL, pageEvent(l.win, url), name, input)) as CallResult;
}

function quit(l: Launched): void {
  if (!l.win.destroyed) l.win.close();
  l.electron.emitApp('window-all-closed');
}

beforeAll(() => requireBuilt(workerPath, ['src/main', 'src/shared']));

describe('the desktop main process', () => {
  const tmp = tempDir('desktop');
  let l: Launched;
  const csv = join(tmp.dir, 'points.csv');

  beforeAll(async () => {
    writeFileSync(csv, 'x,y\n1,2\n2,3\n3,5\n4,4\n5,6\n6,5\n');
    l = await launch(join(tmp.dir, 'profile'));
  }, 120_000);
  afterAll(() => {
    quit(l);
    tmp.remove();
  });

  it('opens one locked-down window on the built page', () => {
    expect(l.electron.windows).toHaveLength(1);
    const prefs = l.win.options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: paths.preloadPath,
    });
    expect(l.win.webContents.url).toBe(
      new URL(`file://${join(paths.rendererDir, 'index.html')}`).href,
    );
    expect(l.win.visible).toBe(true);
    // Every permission the page might ask for is refused.
    let granted: boolean | null = null;
    l.win.webContents.permissionHandler!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
  });

  it('starts the engine worker through utilityProcess', () => {
    expect(l.electron.forks.length).toBeGreaterThanOrEqual(1);
    expect(l.electron.forks[0].modulePath).toBe(paths.workerPath);
    expect(l.electron.forks[0].options).toMatchObject({ serviceName: 'Latent Lab engine' });
  });

  it('answers its own page over IPC and refuses any other frame or window', async () => {
    const ok = await callAsPage(l, 'datasets.list', {});
    expect(ok.ok).toBe(true);
    expect((ok as { value: DatasetMeta[] }).value.some((d) => d.builtin)).toBe(true);

    const foreign = await callAsPage(l, 'datasets.list', {}, 'https://evil.example/');
    expect(foreign).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: 'request from an unknown sender refused' },
    });
    const outside = await callAsPage(l, 'datasets.list', {}, 'file:///etc/passwd');
    expect(outside.ok).toBe(false);
    // Another window's contents, even claiming our page's address.
    const stranger = (await l.electron.invoke(
      CALL_CHANNEL,
      {
        sender: new l.electron.BrowserWindow({}).webContents,
        senderFrame: { url: l.win.webContents.url },
      },
      'datasets.list',
      {},
    )) as CallResult;
    expect(stranger.ok).toBe(false);
    // A contract error crosses as an error result, not a throw.
    const bad = await callAsPage(l, 'runs.get', { id: -1 });
    expect(bad.ok).toBe(false);
  });

  it('holds commands until the page listens, and ignores a foreign frame saying it does', async () => {
    l.desktop.openTable(csv);
    l.electron.sendFromPage(DESKTOP_READY_CHANNEL, pageEvent(l.win, 'https://evil.example/'), 'en');
    expect(commands(l.win)).toEqual([]);
    pageReady(l);
    expect(commands(l.win)).toEqual([{ kind: 'open-table', path: csv }]);
    expect(l.electron.recentDocuments).toContain(csv);
  });

  it('File › Import CSV… asks for a table and hands it to the page’s import', async () => {
    const before = commands(l.win).length;
    expect(l.electron.item('import-table').accelerator).toBe('CmdOrCtrl+O');
    l.electron.openDialogAnswers.push(csv);
    l.electron.click('import-table');
    await vi.waitFor(() => expect(commands(l.win).length).toBe(before + 1));
    expect(commands(l.win).at(-1)).toEqual({ kind: 'open-table', path: csv });
    expect(l.electron.openDialogs.at(-1)!.filters![0].extensions).toEqual(
      expect.arrayContaining(['csv', 'tsv', 'xlsx']),
    );
    // Cancelled: nothing sent.
    l.electron.click('import-table');
    await new Promise((r) => setTimeout(r, 50));
    expect(commands(l.win).length).toBe(before + 1);
  });

  it('File › Open recent data lists imported data sets (datasets.list) and opens one', async () => {
    expect(l.electron.item('no-recent').enabled).toBe(false);
    const r = await callAsPage(l, 'datasets.import', {
      source: { kind: 'path', path: csv },
      name: 'points',
    });
    expect(r.ok).toBe(true);
    const id = (r as { value: { dataset: DatasetMeta } }).value.dataset.id;
    // The menu is made again when the host says the data sets changed.
    await vi.waitFor(() => expect(() => l.electron.item(`recent-${id}`)).not.toThrow());
    expect(l.electron.item(`recent-${id}`).label).toBe('points');
    expect(l.requests).toContain('datasets.list');
    l.electron.click(`recent-${id}`);
    expect(commands(l.win).at(-1)).toEqual({ kind: 'navigate', hash: `#/data/${id}` });
  });

  it('File › Export run… exports the run the window shows (runs.export), asking before replacing', async () => {
    // No run shown: says so.
    l.electron.click('export-run');
    await vi.waitFor(() =>
      expect(l.electron.messageBoxes.at(-1)?.message).toMatch(/Open a run or a comparison first/),
    );
    const list = (await callAsPage(l, 'datasets.list', {})) as { value: DatasetMeta[] };
    const faithful = list.value.find((d) => d.name === 'Old Faithful')!;
    const started = (await callAsPage(l, 'runs.start', {
      algorithm: 'gmm',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { k: 2 },
      seed: 1,
    })) as { ok: true; value: RunInfo };
    expect(started.ok).toBe(true);
    const runId = started.value.id;
    // The run finishes in a worker started through the stand-in's utilityProcess.
    await vi.waitFor(
      async () => {
        const r = (await callAsPage(l, 'runs.get', { id: runId })) as { value: RunInfo };
        expect(r.value.status).toBe('completed');
      },
      { timeout: 60_000, interval: 200 },
    );
    l.win.webContents.url = `${l.win.webContents.url.split('#')[0]}#/run/${runId}`;
    const dir = join(tmp.dir, 'export');
    l.electron.openDialogAnswers.push(dir);
    l.electron.messageBoxAnswer = () => 0;
    l.electron.click('export-run');
    await vi.waitFor(
      () => expect(l.electron.messageBoxes.at(-1)?.message).toBe(`Exported to ${dir}`),
      { timeout: 30_000 },
    );
    expect(l.requests.filter((r) => r === 'runs.export')).toHaveLength(1);
    expect(readdirSync(dir)).toContain('params.json');
    // Again into the same folder: asked, replaced (answer 0), exported again.
    l.electron.openDialogAnswers.push(dir);
    l.electron.click('export-run');
    await vi.waitFor(() => expect(l.requests.filter((r) => r === 'runs.export')).toHaveLength(3));
    await vi.waitFor(
      () => expect(l.electron.messageBoxes.at(-1)?.message).toBe(`Exported to ${dir}`),
      { timeout: 30_000 },
    );
    expect(l.electron.messageBoxes.at(-2)?.message).toMatch(/is not empty/);
  });

  it('File › Open data folder opens the host’s data folder (app.info)', async () => {
    l.electron.click('open-data-folder');
    await vi.waitFor(() => expect(l.electron.openedPaths.at(-1)).toBe(join(tmp.dir, 'profile')));
    expect(l.requests).toContain('app.info');
  });

  it('File › Quit, Edit and View are Electron’s roles with their accelerators', () => {
    expect(l.electron.item('quit').role).toBe('quit');
    const roles = (id: string) =>
      (l.electron.item(id).submenu as { role?: string }[]).map((i) => i.role).filter(Boolean);
    expect(roles('edit')).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
    expect(roles('view')).toEqual(
      expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom', 'reload']),
    );
    expect(l.electron.item('export-run').accelerator).toBe('CmdOrCtrl+E');
  });

  it('View › Language switches the menu and the page', () => {
    l.electron.click('lang-zh');
    expect(l.electron.item('file').label).toBe('文件');
    expect(l.electron.item('lang-zh').checked).toBe(true);
    expect(commands(l.win).at(-1)).toEqual({ kind: 'language', lang: 'zh' });
    // The page switching by its own button: the menu follows, nothing is echoed back.
    const sent = commands(l.win).length;
    l.electron.sendFromPage('latent-lab:desktop:language', pageEvent(l.win), 'en');
    expect(l.electron.item('file').label).toBe('File');
    expect(commands(l.win).length).toBe(sent);
  });

  it('Help › About shows the version and Electron’s versions; Help › README opens it', async () => {
    l.electron.click('about');
    await vi.waitFor(() =>
      expect(l.electron.messageBoxes.at(-1)?.message).toBe('Latent Lab 0.1.0'),
    );
    const detail = l.electron.messageBoxes.at(-1)!.detail!;
    expect(detail).toContain('Electron 38.8.6');
    expect(detail).toContain('Chromium 140.0');
    expect(detail).toContain(join(tmp.dir, 'profile'));
    l.electron.click('readme');
    await vi.waitFor(() => expect(l.electron.openedPaths.at(-1)).toBe(paths.readmePath));
    expect(existsSync(paths.readmePath)).toBe(true);
  });

  it('a CSV dropped where the page did not catch it is imported, not navigated to', () => {
    const sent = commands(l.win).length;
    expect(l.win.webContents.navigate(`file://${csv}`)).toBe(false);
    expect(commands(l.win).slice(sent)).toEqual([{ kind: 'open-table', path: csv }]);
    // Other navigation is blocked and imports nothing; the page's own addresses are allowed.
    expect(l.win.webContents.navigate('https://example.com/')).toBe(false);
    expect(l.win.webContents.navigate('file:///etc/passwd')).toBe(false);
    expect(l.win.webContents.navigate(`${l.win.webContents.url.split('#')[0]}#/runs`)).toBe(true);
    expect(commands(l.win).length).toBe(sent + 1);
    // New windows: never; an https link goes to the system browser.
    expect(l.win.webContents.windowOpenHandler!({ url: 'https://example.com/x' } as never)).toEqual(
      {
        action: 'deny',
      },
    );
    expect(l.electron.openedUrls).toEqual(['https://example.com/x']);
  });

  it('a second launch focuses this window and imports the CSV on its command line', () => {
    const sent = commands(l.win).length;
    const focused = l.win.focused;
    l.win.minimized = true;
    l.electron.emitApp(
      'second-instance',
      {},
      ['/opt/Latent Lab/latent-lab', '--flag', 'points.csv'],
      tmp.dir,
    );
    expect(l.win.focused).toBe(focused + 1);
    expect(l.win.minimized).toBe(false);
    expect(commands(l.win).slice(sent)).toEqual([{ kind: 'open-table', path: csv }]);
    // Without a table: focused, nothing imported.
    l.electron.emitApp('second-instance', {}, ['/opt/Latent Lab/latent-lab'], tmp.dir);
    expect(l.win.focused).toBe(focused + 2);
    expect(commands(l.win).length).toBe(sent + 1);
    // macOS hands files over with open-file.
    l.electron.emitApp('open-file', { preventDefault() {} }, csv);
    expect(commands(l.win).length).toBe(sent + 2);
  });
});

describe('launching', () => {
  it('a second instance quits at once and opens no window', async () => {
    const tmp = tempDir('desktop-second');
    const electron = fakeElectron(tmp.dir);
    electron.singleInstance = false;
    expect(
      await startDesktop({ electron, paths, env: { LATENT_LAB_DATA_DIR: tmp.dir } }),
    ).toBeNull();
    expect(electron.quits).toBe(1);
    expect(electron.windows).toHaveLength(0);
    tmp.remove();
  });

  it('imports a CSV named on the first launch’s command line once the page listens', async () => {
    const tmp = tempDir('desktop-argv');
    const data = join(tmp.dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'a.csv'), 'x\n1\n2\n');
    const l = await launch(
      join(tmp.dir, 'profile'),
      ['/usr/bin/latent-lab', 'data/a.csv'],
      tmp.dir,
    );
    try {
      expect(commands(l.win)).toEqual([]);
      pageReady(l);
      expect(commands(l.win)).toEqual([{ kind: 'open-table', path: join(data, 'a.csv') }]);
    } finally {
      quit(l);
      tmp.remove();
    }
  });

  it('remembers the window’s size, position and maximised state', async () => {
    const tmp = tempDir('desktop-window');
    const profile = join(tmp.dir, 'profile');
    try {
      const first = await launch(profile);
      expect(first.win.options).toMatchObject({ width: 1280, height: 860 });
      expect(first.win.options.x).toBeUndefined();
      first.win.bounds = { x: 200, y: 150, width: 1000, height: 700 };
      first.win.maximized = true;
      quit(first);
      expect(first.electron.quits).toBe(1);
      const saved = JSON.parse(readFileSync(join(profile, WINDOW_STATE_FILE), 'utf8'));
      expect(saved).toEqual({ x: 200, y: 150, width: 1000, height: 700, maximized: true });

      const second = await launch(profile);
      expect(second.win.options).toMatchObject({ x: 200, y: 150, width: 1000, height: 700 });
      expect(second.win.maximized).toBe(true);
      quit(second);
    } finally {
      tmp.remove();
    }
  });
});

describe('tableFileIn', () => {
  it('takes the last existing table file, resolved against the launch folder', () => {
    const tmp = tempDir('desktop-args');
    writeFileSync(join(tmp.dir, 'a.csv'), 'x\n1\n');
    writeFileSync(join(tmp.dir, 'b.xlsx'), '');
    expect(tableFileIn(['exe', 'a.csv', 'b.xlsx'], tmp.dir)).toBe(join(tmp.dir, 'b.xlsx'));
    expect(tableFileIn(['exe', '.', '--x=a.csv'], tmp.dir)).toBeNull();
    expect(tableFileIn(['exe', 'missing.csv'], tmp.dir)).toBeNull();
    expect(tableFileIn(['a.csv'], tmp.dir)).toBeNull(); // argv[0] is the program
    tmp.remove();
  });
});
