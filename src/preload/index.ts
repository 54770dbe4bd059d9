/**
 * The only bridge between the sandboxed renderer and the main process: a narrow invoke/subscribe
 * API over the contract's names. ipcRenderer itself is never exposed.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

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
};

contextBridge.exposeInMainWorld('latentLab', bridge);
export type LatentLabBridge = typeof bridge;
