// Runs in a worker thread (see pdf.ts): pdf.js reads the file and posts back each page's text,
// or the reason it could not. Nothing here touches the server's state.
import { parentPort, workerData } from 'node:worker_threads';

import { extractText, getDocumentProxy } from 'unpdf';

const { bytes, maxPages } = workerData as { bytes: Uint8Array; maxPages: number };

try {
  const document = await getDocumentProxy(bytes);
  if (document.numPages > maxPages) {
    parentPort?.postMessage({ problem: 'pages', pages: document.numPages });
  } else {
    const { text } = await extractText(document, { mergePages: false });
    parentPort?.postMessage({ pages: text });
  }
} catch (error) {
  const name = error instanceof Error ? error.name : '';
  parentPort?.postMessage({ problem: name === 'PasswordException' ? 'password' : 'unreadable' });
}
