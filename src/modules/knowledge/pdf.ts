// The text of an uploaded PDF. pdf.js (through unpdf, which bundles it with no download) runs in
// a worker thread with its own heap cap and a time limit, so a crafted file can neither stall
// the event loop nor take the server's memory: past either limit the worker is stopped and the
// upload is refused with the reason.
import { Worker } from 'node:worker_threads';

export interface PdfLimits {
  timeoutMs: number;
  maxPages: number;
  /** The worker's heap (old generation), in MB. */
  memoryMb: number;
}

export const PDF_LIMITS: PdfLimits = { timeoutMs: 20_000, maxPages: 500, memoryMb: 256 };

/** Why a PDF was not read, in words for the uploader. */
export class UnreadablePdf extends Error {}

type WorkerAnswer =
  | { pages: string[] }
  | { problem: 'pages'; pages: number }
  | { problem: 'password' | 'unreadable' };

export function pdfText(bytes: Buffer, limits: PdfLimits = PDF_LIMITS): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pdf-worker.ts', import.meta.url), {
      // A copy the worker owns; the upload's buffer stays the caller's.
      workerData: { bytes: new Uint8Array(bytes), maxPages: limits.maxPages },
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => {
      finish(() => {
        reject(new UnreadablePdf(`the PDF took longer than ${limits.timeoutMs / 1000} s to read`));
      });
    }, limits.timeoutMs);
    worker.once('message', (answer: WorkerAnswer) => {
      finish(() => {
        if ('problem' in answer) {
          reject(
            new UnreadablePdf(
              answer.problem === 'pages'
                ? `the PDF has ${answer.pages} pages; at most ${limits.maxPages} are read`
                : answer.problem === 'password'
                  ? 'the PDF is password-protected'
                  : 'the file is not a readable PDF',
            ),
          );
        } else {
          resolve(answer.pages.join('\n\n'));
        }
      });
    });
    worker.once('error', (error: Error & { code?: string }) => {
      finish(() => {
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadablePdf(`the PDF needs more than ${limits.memoryMb} MB to read`)
            : error,
        );
      });
    });
    worker.once('exit', (code) => {
      finish(() => {
        reject(new UnreadablePdf(`the PDF reader stopped (exit ${code})`));
      });
    });
  });
}
