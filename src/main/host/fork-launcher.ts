/** Launches engine workers with child_process.fork: the web shell, the CLI and the tests. */
import { fork } from 'node:child_process';
import type { LaunchWorker, WorkerHandle } from '../engine/protocol';

/** Keep the tail of a worker's stderr: it is the best crash reason there is. */
export function stderrTail(limit = 2000): { push(chunk: Buffer | string): void; text(): string } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString()).slice(-limit);
    },
    text: () => text.trim().split('\n').slice(-3).join(' | '),
  };
}

export interface ForkHooks {
  /** Told each worker's process id (the tests use it to kill a worker from outside). */
  onSpawn?(pid: number): void;
}

export function forkLauncher(
  workerPath: string,
  env: NodeJS.ProcessEnv = process.env,
  hooks: ForkHooks = {},
): LaunchWorker {
  return (): WorkerHandle => {
    const child = fork(workerPath, [], {
      // structured clone: typed arrays cross as binary, not JSON lists
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    if (child.pid !== undefined) hooks.onSpawn?.(child.pid);
    const stderr = stderrTail();
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    child.stdout?.on('data', () => {}); // drained; the engine reports only through messages
    return {
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => {
        let reported = false;
        const report = (reason: string, clean: boolean) => {
          if (reported) return;
          reported = true;
          l(reason, clean);
        };
        child.on('error', (e) => report(`the engine process could not run: ${e.message}`, false));
        child.on('exit', (code, signal) => {
          const detail = stderr.text();
          if (code === 0) report('exited', true);
          else
            report(
              `the engine process ${signal ? `was killed (${signal})` : `exited with code ${code}`}` +
                (detail ? `: ${detail}` : ''),
              false,
            );
        });
      },
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  };
}
