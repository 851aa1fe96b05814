// The PDF reader's limits: past its time or page limit the worker is stopped and the reason
// given; within them the text comes back page by page.
import { describe, expect, it } from 'vitest';

import { pdfOf } from '../../../test/helpers/pdf.ts';
import { PDF_LIMITS, pdfText, UnreadablePdf } from './pdf.ts';

const file = pdfOf([['First page.'], ['Second page.']]);

describe('pdfText', () => {
  it('reads each page’s text, pages apart', async () => {
    expect(await pdfText(file)).toBe('First page.\n\nSecond page.');
  });

  it('stops a reader that takes longer than its time limit', async () => {
    const slow = pdfText(file, { ...PDF_LIMITS, timeoutMs: 1 });
    await expect(slow).rejects.toThrow(UnreadablePdf);
    await expect(slow).rejects.toThrow('the PDF took longer than 0.001 s to read');
  });

  it('refuses a file with more pages than it reads', async () => {
    await expect(pdfText(file, { ...PDF_LIMITS, maxPages: 1 })).rejects.toThrow(
      'the PDF has 2 pages; at most 1 are read',
    );
  });
});
