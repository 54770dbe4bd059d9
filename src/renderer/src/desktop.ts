/**
 * The desktop shell's side of the page: commands from the menu, the command line and the OS,
 * and files dropped on the window. In the web shell there is no bridge and only drops apply.
 */
import type { DesktopCommand } from '../../shared/desktop';

interface DesktopBridge {
  onDesktop(lang: string, listener: (command: DesktopCommand) => void): () => void;
  languageChanged(lang: string): void;
}

export function desktopBridge(): DesktopBridge | null {
  const bridge = (window as unknown as { latentLab?: Partial<DesktopBridge> }).latentLab;
  return bridge?.onDesktop && bridge.languageChanged ? (bridge as DesktopBridge) : null;
}

/**
 * A table handed to the import from outside the page's own picker: a path from the desktop
 * shell (menu, second launch, OS) or a dropped file. `seq` makes the same file twice two asks.
 */
export type IncomingTable = { seq: number } & ({ path: string } | { file: File });

/** The file's name without its folder, for the preview's title and the data set's name. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

let lastClaimed = 0;
/**
 * True once per table: the import takes it when it mounts or is handed it, and a data page made
 * again later (after a visit elsewhere) must not read the same file again.
 */
export function claimIncoming(table: IncomingTable): boolean {
  if (table.seq <= lastClaimed) return false;
  lastClaimed = table.seq;
  return true;
}
