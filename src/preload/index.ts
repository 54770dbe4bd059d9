/**
 * The only bridge between the sandboxed renderer and the main process: a narrow invoke/subscribe
 * API over the contract's names, and the desktop shell's few commands. ipcRenderer itself is
 * never exposed.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  DESKTOP_COMMAND_CHANNEL,
  DESKTOP_LANGUAGE_CHANNEL,
  DESKTOP_READY_CHANNEL,
  type DesktopCommand,
} from '../shared/desktop';

const bridge = {
  invoke: (name: string, input: unknown): Promise<unknown> =>
    ipcRenderer.invoke('latent-lab:call', name, input),
  subscribe(event: string, listener: (payload: unknown) => void): () => void {
    const channel = `latent-lab:event:${event}`;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
  /** A chosen or dropped file's path, so the host reads it from disk (no bytes cross over). */
  pathOf: (file: File): string => webUtils.getPathForFile(file),
  /**
   * Commands from the menu, the command line and the OS; `lang` is the page's language. Main
   * holds its commands until this is called.
   */
  onDesktop(lang: string, listener: (command: DesktopCommand) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, command: DesktopCommand) => listener(command);
    ipcRenderer.on(DESKTOP_COMMAND_CHANNEL, wrapped);
    ipcRenderer.send(DESKTOP_READY_CHANNEL, lang);
    return () => ipcRenderer.removeListener(DESKTOP_COMMAND_CHANNEL, wrapped);
  },
  /** The reader switched language in the page: the menu follows. */
  languageChanged: (lang: string): void => ipcRenderer.send(DESKTOP_LANGUAGE_CHANNEL, lang),
};

contextBridge.exposeInMainWorld('latentLab', bridge);
export type LatentLabBridge = typeof bridge;
