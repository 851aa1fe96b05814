// @vitest-environment happy-dom
// The table markup every list page relies on (headings, classes, row test ids, detail rows).
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { type Column, DataTable } from './data-table';

afterEach(cleanup);

interface Person {
  id: string;
  name: string;
  sent: number;
}
const rows: Person[] = [
  { id: 'a', name: 'Ada', sent: 1200 },
  { id: 'b', name: 'Bo', sent: 3 },
];
const keyOf = (person: Person) => person.id;
const columns: Column<Person>[] = [
  { header: 'Name', cellClassName: 'break', cell: (person) => person.name },
  { header: 'Sent', className: 'number', cell: (person) => person.sent.toLocaleString('en') },
  { header: <span className="visually-hidden">Actions</span>, cell: () => 'Edit' },
];

describe('DataTable', () => {
  it('renders the same markup a hand-written table had', () => {
    const { container } = render(
      <DataTable
        label="People"
        rows={rows}
        rowKey={keyOf}
        rowTestId="person-row"
        columns={columns}
      />,
    );
    expect(container.innerHTML).toBe(
      '<div class="table-wrap"><table class="table" aria-label="People">' +
        '<thead><tr><th scope="col">Name</th><th scope="col" class="number">Sent</th>' +
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>' +
        '<tbody><tr data-testid="person-row"><td class="break">Ada</td><td class="number">1,200</td><td>Edit</td></tr>' +
        '<tr data-testid="person-row"><td class="break">Bo</td><td class="number">3</td><td>Edit</td></tr></tbody>' +
        '</table></div>',
    );
    expect(screen.getByRole('table', { name: 'People' })).toBeDefined();
  });

  it('opens a full-width detail row under the rows that have one', () => {
    const { container } = render(
      <DataTable
        rows={rows}
        rowKey={keyOf}
        columns={columns.slice(0, 2)}
        detail={(person) => (person.id === 'b' ? <p>Opened {person.name}</p> : null)}
      />,
    );
    const bodyRows = container.querySelectorAll('tbody tr');
    expect(bodyRows).toHaveLength(3);
    expect(bodyRows[2]?.innerHTML).toBe('<td colspan="2"><p>Opened Bo</p></td>');
    expect(container.querySelector('table')?.hasAttribute('aria-label')).toBe(false);
  });
});
