// @vitest-environment happy-dom
// The CSV import report: counts, then each skipped row with its line in the file and the
// reason, capped on the page but complete in the count and the download.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { errorReportCsv, ImportReport } from './csv-import';
import { importResultOf } from './subscriber-queries';

afterEach(cleanup);

describe('ImportReport', () => {
  it('lists each row that was not imported with its row number and reason', () => {
    render(
      <ImportReport
        result={{
          rows: 4,
          imported: 2,
          updated: 0,
          skipped: 2,
          errorCount: 2,
          errors: [
            { row: 3, reason: 'invalid email "not-an-email"' },
            { row: 5, reason: 'duplicate of row 2' },
          ],
        }}
      />,
    );
    expect(screen.getByRole('status').textContent).toContain('4 rows read');
    expect(screen.getByRole('heading', { name: '2 rows not imported' })).toBeTruthy();
    const rows = within(screen.getByRole('table', { name: 'Rows not imported' })).getAllByRole(
      'row',
    );
    expect(rows.slice(1).map((row) => row.textContent)).toEqual([
      '3invalid email "not-an-email"',
      '5duplicate of row 2',
    ]);
    const download = screen.getByRole('link', { name: 'Download the error report (CSV)' });
    expect(decodeURIComponent(download.getAttribute('href') ?? '')).toContain(
      '3,"invalid email ""not-an-email"""',
    );
  });

  it('says every row was imported when nothing was skipped', () => {
    render(
      <ImportReport
        result={{ rows: 2, imported: 1, updated: 1, skipped: 0, errorCount: 0, errors: [] }}
      />,
    );
    expect(screen.getByText('Every row was imported.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the first 50 errors and counts the rest', () => {
    const errors = Array.from({ length: 80 }, (_, index) => ({
      row: index + 2,
      reason: 'missing email',
    }));
    render(
      <ImportReport
        result={{ rows: 1200, imported: 1000, updated: 0, skipped: 200, errorCount: 200, errors }}
      />,
    );
    expect(screen.getAllByTestId('import-error-row')).toHaveLength(50);
    expect(screen.getByText(/and 150 more/)).toBeTruthy();
  });
});

describe('importResultOf', () => {
  it('accepts the documented job result and rejects anything else', () => {
    const result = { rows: 1, imported: 1, updated: 0, skipped: 0, errorCount: 0, errors: [] };
    expect(importResultOf(result)).toEqual(result);
    expect(importResultOf({ rows: '1' })).toBeNull();
    expect(importResultOf(null)).toBeNull();
    expect(errorReportCsv(result)).toBe('row,reason');
  });
});
