/** Launches engine workers as Electron utility processes (the desktop shell). */
import type { LaunchWorker, WorkerHandle } from './engine/protocol';
import type { DesktopElectron } from './desktop/electron-api';
import { stderrTail } from './host/fork-launcher';

export function utilityProcessLauncher(
  utilityProcess: DesktopElectron['utilityProcess'],
  workerPath: string,
): LaunchWorker {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(workerPath, [], {
      serviceName: 'Latent Lab engine',
      stdio: 'pipe',
    });
    const stderr = stderrTail();
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    child.stdout?.on('data', () => {});
    return {
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', l),
      onExit: (l) =>
        child.once('exit', (code) =>
          l(
            code === 0
              ? 'exited'
              : `the engine process exited with code ${code}${stderr.text() ? `: ${stderr.text()}` : ''}`,
            code === 0,
          ),
        ),
      kill: () => void child.kill(),
    };
  };
}
