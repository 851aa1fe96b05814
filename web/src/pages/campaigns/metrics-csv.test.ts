import { describe, expect, it } from 'vitest';

import { findPiece, parseMetricsCsv, readFigures, splitCsvLine } from './metrics-csv';

describe('figures typed or read from a CSV', () => {
  it('reads counts and dollar amounts, and says which field is wrong', () => {
    expect(readFigures({ impressions: '1,200', clicks: '30', spendCents: '$12.50' })).toEqual({
      ok: true,
      figures: {
        impressions: 1200,
        clicks: 30,
        reactions: 0,
        shares: 0,
        conversions: 0,
        spendCents: 1250,
        revenueCents: 0,
      },
    });
    expect(readFigures({ clicks: '-3' })).toEqual({
      ok: false,
      error: 'Clicks: enter a whole number, 0 or more',
    });
  });

  it('splits quoted cells', () => {
    expect(splitCsvLine('"Spring, sale",2026-03-02,"say ""hi"""')).toEqual([
      'Spring, sale',
      '2026-03-02',
      'say "hi"',
    ]);
  });

  it('reads a file row by row, each bad row with its line and reason', () => {
    const parsed = parseMetricsCsv(
      'Piece,Day,Impressions,Clicks,Spend\nLaunch post,2026-03-02,100,5,9.99\n\nLaunch post,March 3,1,1,1\nTeaser,2026-03-04,x,1,1\n',
    );
    expect(parsed).toEqual({
      rows: [
        {
          line: 2,
          piece: 'Launch post',
          metrics: {
            day: '2026-03-02',
            source: 'manual',
            impressions: 100,
            clicks: 5,
            reactions: 0,
            shares: 0,
            conversions: 0,
            spendCents: 999,
            revenueCents: 0,
          },
        },
        { line: 4, piece: 'Launch post', error: '“March 3” is not a day like 2026-03-02' },
        { line: 5, piece: 'Teaser', error: 'Impressions: enter a whole number, 0 or more' },
      ],
    });
    expect(parseMetricsCsv('name,when\nx,y')).toHaveProperty('error');
  });

  it('finds a piece by id or by its one title', () => {
    const pieces = [
      { id: 'a', topic: 'Launch post' },
      { id: 'b', topic: 'Teaser' },
      { id: 'c', topic: 'Teaser' },
    ];
    expect(findPiece(pieces, 'launch POST')).toEqual({ piece: pieces[0] });
    expect(findPiece(pieces, 'c')).toEqual({ piece: pieces[2] });
    expect(findPiece(pieces, 'Teaser')).toHaveProperty('error');
    expect(findPiece(pieces, 'Nope')).toHaveProperty('error');
  });
});
