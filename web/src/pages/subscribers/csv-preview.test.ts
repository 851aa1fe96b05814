// The CSV import's preview: the header and first rows read as the server reads them (quotes,
// BOM, blank lines), guesses from common header spellings, and the mapping checks that keep
// Confirm disabled.
import { describe, expect, it } from 'vitest';

import { guessColumns, mappingProblem, readPreview, toImportColumns } from './csv-preview';

describe('readPreview', () => {
  it('reads the header and at most five rows, with quoted commas, quotes and line breaks', async () => {
    const csv = [
      '\uFEFFE-mail,Given name,Plan',
      '"ann@example.com","Ann ""A""","pro, yearly"',
      'bob@example.com,"Bob',
      'Jr",free',
      '',
      ...Array.from({ length: 10 }, (_, i) => `p${String(i)}@example.com,P,free`),
      '"never closed',
    ].join('\n');
    const preview = await readPreview(csv);
    expect(preview.headers).toEqual(['E-mail', 'Given name', 'Plan']);
    expect(preview.rows).toHaveLength(5);
    expect(preview.rows[0]).toEqual(['ann@example.com', 'Ann "A"', 'pro, yearly']);
    expect(preview.rows[1]).toEqual(['bob@example.com', 'Bob\nJr', 'free']);
  });

  it('pads short rows to the header and refuses a file without a header', async () => {
    expect((await readPreview('email,name\nann@example.com\n')).rows).toEqual([
      ['ann@example.com', ''],
    ]);
    await expect(readPreview('\n\n')).rejects.toThrow('no header row');
  });
});

describe('guessColumns', () => {
  it('recognises common spellings and makes the rest attributes named as their header', () => {
    const guesses = guessColumns([
      'E-mail',
      'First Name',
      'lastname',
      'Status',
      'Plan',
      'Email address',
      '',
    ]);
    expect(guesses.map((guess) => guess.target)).toEqual([
      'email',
      'firstName',
      'lastName',
      'consentStatus',
      'attribute',
      // A second email column is not a second email.
      'attribute',
      'skip',
    ]);
    expect(guesses[4]?.attribute).toBe('Plan');
  });
});

describe('mappingProblem', () => {
  const headers = ['E-mail', 'Given name', 'Plan'];
  const email = { target: 'email', attribute: 'E-mail' } as const;
  const attribute = (name: string) => ({ target: 'attribute', attribute: name }) as const;
  it('asks for an email column, one column per field or attribute, and named attributes', () => {
    const guessed = guessColumns(headers);
    expect(mappingProblem(guessed, headers)).toBeNull();
    expect(toImportColumns(guessed)).toEqual(['email', 'firstName', { attribute: 'Plan' }]);
    expect(
      mappingProblem([{ target: 'skip', attribute: '' }, attribute('a'), attribute('b')], headers),
    ).toContain('email address');
    expect(mappingProblem([email, attribute('plan'), attribute('plan ')], headers)).toContain(
      '“Given name” and “Plan” both go to the custom attribute “plan”',
    );
    expect(mappingProblem([email, email, attribute('plan')], headers)).toContain(
      '“E-mail” and “Given name” both go to Email',
    );
    expect(mappingProblem([email, attribute('a'), attribute(' ')], headers)).toContain(
      'Name the custom attribute for column “Plan”',
    );
  });
});
