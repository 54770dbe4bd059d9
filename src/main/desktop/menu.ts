/**
 * The application menu as a template: pure, so the tests click every item. Each item names what
 * it does through `actions`; the roles (copy, zoom, quit, …) are Electron's own, with their
 * standard accelerators, and get our labels so the menu follows the page's language.
 */
import { translate, type Language, type MessageKey } from '../../shared/i18n';
import type { MenuItemConstructorOptions } from './electron-api';

export interface MenuActions {
  importTable(): void;
  openDataset(id: number): void;
  exportRun(): void;
  openDataFolder(): void;
  setLanguage(lang: Language): void;
  about(): void;
  readme(): void;
}

export interface MenuState {
  lang: Language;
  /** The newest imported data sets, newest first. */
  recent: { id: number; name: string }[];
  platform: NodeJS.Platform;
}

const languageNames: Record<Language, string> = { en: 'English', zh: '简体中文' };

export function desktopMenu(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const t = (key: MessageKey) => translate(state.lang, key);
  const mac = state.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    id: 'file',
    label: t('menu.file'),
    submenu: [
      {
        id: 'import-table',
        label: t('menu.importTable'),
        accelerator: 'CmdOrCtrl+O',
        click: () => actions.importTable(),
      },
      {
        id: 'open-recent',
        label: t('menu.openRecent'),
        submenu:
          state.recent.length === 0
            ? [{ id: 'no-recent', label: t('menu.noRecent'), enabled: false }]
            : state.recent.map((d) => ({
                id: `recent-${d.id}`,
                label: d.name,
                click: () => actions.openDataset(d.id),
              })),
      },
      {
        id: 'export-run',
        label: t('menu.exportRun'),
        accelerator: 'CmdOrCtrl+E',
        click: () => actions.exportRun(),
      },
      { type: 'separator' },
      {
        id: 'open-data-folder',
        label: t('menu.openDataFolder'),
        accelerator: 'CmdOrCtrl+Shift+D',
        click: () => actions.openDataFolder(),
      },
      // On macOS Quit lives in the application menu.
      ...(mac
        ? []
        : [
            { type: 'separator' } as const,
            { id: 'quit', role: 'quit', label: t('menu.quit') } as const,
          ]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    id: 'edit',
    label: t('menu.edit'),
    submenu: [
      { role: 'undo', label: t('menu.undo') },
      { role: 'redo', label: t('menu.redo') },
      { type: 'separator' },
      { role: 'cut', label: t('menu.cut') },
      { role: 'copy', label: t('menu.copy') },
      { role: 'paste', label: t('menu.paste') },
      { role: 'selectAll', label: t('menu.selectAll') },
    ],
  };
  const view: MenuItemConstructorOptions = {
    id: 'view',
    label: t('menu.view'),
    submenu: [
      {
        id: 'language',
        label: t('menu.language'),
        submenu: (Object.keys(languageNames) as Language[]).map((lang) => ({
          id: `lang-${lang}`,
          label: languageNames[lang],
          type: 'radio',
          checked: state.lang === lang,
          click: () => actions.setLanguage(lang),
        })),
      },
      { type: 'separator' },
      { role: 'zoomIn', label: t('menu.zoomIn') },
      { role: 'zoomOut', label: t('menu.zoomOut') },
      { role: 'resetZoom', label: t('menu.resetZoom') },
      { type: 'separator' },
      { role: 'reload', label: t('menu.reload') },
      { role: 'toggleDevTools', label: t('menu.devTools') },
      { role: 'togglefullscreen', label: t('menu.fullScreen') },
    ],
  };
  const about = { id: 'about', label: t('menu.about'), click: () => actions.about() };
  const help: MenuItemConstructorOptions = {
    id: 'help',
    label: t('menu.help'),
    role: 'help',
    submenu: [
      { id: 'readme', label: t('menu.readme'), accelerator: 'F1', click: () => actions.readme() },
      ...(mac ? [] : [{ type: 'separator' } as const, about]),
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    id: 'app',
    label: 'Latent Lab',
    submenu: [
      about,
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { id: 'quit', role: 'quit', label: t('menu.quit') },
    ],
  };
  const window: MenuItemConstructorOptions = { role: 'windowMenu', label: t('menu.window') };
  return mac ? [appMenu, file, edit, view, window, help] : [file, edit, view, help];
}
