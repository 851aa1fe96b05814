// The dashboard's one table: a scrolling wrapper, a header row of column headings, and a row per
// item with its cells written beside their heading. A row can open a detail row under it.
import { Fragment, type ReactElement, type ReactNode } from 'react';

export interface Column<Row> {
  /** The heading; a column of buttons has a visually hidden one. */
  header: ReactNode;
  /** The class of the heading and its cells: `number` aligns right, `hide-narrow` hides it on phones. */
  className?: string;
  /** The class of the cells when it is not the heading's (e.g. `break` for long addresses). */
  cellClassName?: string;
  cell: (row: Row) => ReactNode;
}

export function DataTable<Row>(props: {
  /** The table's accessible name. */
  label?: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  rowTestId?: string;
  /** Shown in a full-width row under a row when it returns something (an opened message). */
  detail?: (row: Row) => ReactElement | null;
}) {
  const { columns } = props;
  return (
    <div className="table-wrap">
      <table className="table" aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={column.className}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => {
            const detail = props.detail?.(row);
            return (
              <Fragment key={props.rowKey(row)}>
                <tr data-testid={props.rowTestId}>
                  {columns.map((column, index) => (
                    <td key={index} className={column.cellClassName ?? column.className}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
                {detail && (
                  <tr>
                    <td colSpan={columns.length}>{detail}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
