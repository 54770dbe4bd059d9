/**
 * A reader thread (reader-pool.ts starts it): runs one read job at a time and posts back the table
 * it read, its typed arrays moved to the host, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { runReadJob, type ReadJob } from './csv';
import type { ReaderMessage } from './reader-pool';
import { CsvError, partBuffers } from './table-scan';
import { TextError } from '../../shared/i18n';

const port = parentPort!;
port.on('message', (job: ReadJob) => {
  const post = (m: ReaderMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  runReadJob(job, (bytes) => post({ bytes })).then(
    (result) => post({ result }, result.part ? partBuffers(result.part) : []),
    (e: Error) =>
      post({
        error: {
          text: e instanceof TextError ? e.text : undefined,
          message: e.message,
          refusal: e instanceof CsvError,
        },
      }),
  );
});
