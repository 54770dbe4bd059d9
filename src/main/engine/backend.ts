/**
 * Chooses the tfjs backend: native TensorFlow (tfjs-node, an optional dependency that often cannot
 * install) → WebAssembly → pure-JS cpu. LATENT_LAB_BACKEND=tensorflow|wasm|cpu forces one.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; the union package's Node build does (its ESM
// files cannot be loaded by Node directly), and it brings tf.layers for the neural models.
import '@tensorflow/tfjs';
import { localText, type LocalText } from '../../shared/i18n';

export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendChoice {
  name: BackendName;
  /** Why a preferred backend was not used, if one was skipped. */
  notes: LocalText[];
}

async function tryTensorflow(): Promise<boolean> {
  try {
    // tfjs-node registers the "tensorflow" backend when it loads; the module name is built at run
    // time so bundlers do not try to resolve an optional dependency that may be absent.
    const name = ['@tensorflow', 'tfjs-node'].join('/');
    await import(/* @vite-ignore */ name);
    return (
      tf.findBackend('tensorflow') !== null ||
      tf.engine().registryFactory['tensorflow'] !== undefined
    );
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return true;
  } catch {
    return false;
  }
}

export function requestedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | null {
  const v = env.LATENT_LAB_BACKEND?.trim().toLowerCase();
  if (!v) return null;
  if ((backendNames as readonly string[]).includes(v)) return v as BackendName;
  throw new Error(`LATENT_LAB_BACKEND=${v} is not one of ${backendNames.join(', ')}`);
}

let chosen: Promise<BackendChoice> | null = null;

/** Initialises the best available backend once per process. */
export function initBackend(
  forced: BackendName | null = requestedBackend(),
): Promise<BackendChoice> {
  chosen ??= (async () => {
    const notes: LocalText[] = [];
    const order: BackendName[] = forced ? [forced] : [...backendNames];
    for (const name of order) {
      const loaded =
        name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : true;
      if (loaded && (await tf.setBackend(name).catch(() => false))) {
        await tf.ready();
        return { name, notes };
      }
      notes.push(
        name === 'tensorflow'
          ? localText('note.noTensorflow')
          : localText('note.backendUnavailable', { backend: name }),
      );
    }
    if (forced) throw new Error(`the forced backend "${forced}" is not available here`);
    throw new Error('no tfjs backend could be initialised');
  })();
  return chosen;
}

/** tfjs reports a kernel missing on a backend with this wording. */
export function isMissingKernel(e: unknown): boolean {
  return (
    e instanceof Error && /not registered|not yet implemented|kernel .* not found/i.test(e.message)
  );
}

/**
 * Runs `attempt`; if the backend lacks a kernel it needs (the wasm backend has no gradients for
 * some ops), switches to the cpu backend and runs it again from the start, with the same seed.
 */
export async function withCpuFallback<T>(
  attempt: () => Promise<T>,
  onFallback: (note: LocalText) => void,
): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    const from = tf.getBackend();
    if (!isMissingKernel(e) || from === 'cpu') throw e;
    await tf.setBackend('cpu');
    await tf.ready();
    onFallback(localText('note.cpuFallback', { backend: from, detail: (e as Error).message }));
    return await attempt();
  }
}
