/**
 * What the desktop shell's main process and its page say to each other besides the contract:
 * commands from the menu, the command line and the OS (a file to import, a page to show, the
 * language), and the page's word that it listens and which language it shows.
 */
import type { Language } from './i18n';

/** Main → page. */
export const DESKTOP_COMMAND_CHANNEL = 'latent-lab:desktop';
/** Page → main: subscribed, with its language (main then sends what waited for it). */
export const DESKTOP_READY_CHANNEL = 'latent-lab:desktop:ready';
/** Page → main: the reader switched language in the page. */
export const DESKTOP_LANGUAGE_CHANNEL = 'latent-lab:desktop:language';

export type DesktopCommand =
  /** Show this file in the import's preview (menu, drop, command line, second launch). */
  | { kind: 'open-table'; path: string }
  | { kind: 'navigate'; hash: string }
  | { kind: 'language'; lang: Language };

/** Files the import reads, by extension (the same list as the page's file picker). */
export const tableExtensions = ['csv', 'tsv', 'txt', 'xlsx'] as const;

export function isTableFile(path: string): boolean {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext !== undefined && (tableExtensions as readonly string[]).includes(ext);
}
