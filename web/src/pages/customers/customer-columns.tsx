// The columns of a customer list, shared by the customers page and a question's answer: who,
// when last seen, activity, orders and revenue, and the latest intelligence run's scores (RFM
// segment, churn tier, lifetime value).
import { CHURN_TIER_LABELS, RFM_SEGMENT_LABELS } from '@shared/scores';
import { Link } from 'react-router';

import type { Column } from '../../components/data-table';
import { formatDateTime } from '../../components/ui';
import { formatCents } from '../../format/money';
import type { CustomerSummary } from './customer-queries';

/** The name a marketer recognises: the name, else the email, else the user id. */
export function customerLabel(customer: Pick<CustomerSummary, 'name' | 'email' | 'userId'>) {
  return customer.name ?? customer.email ?? customer.userId ?? 'Anonymous visitor';
}

export function customerColumns(businessId: string): Column<CustomerSummary>[] {
  return [
    {
      header: 'Customer',
      cellClassName: 'break',
      cell: (customer) => (
        <>
          <Link to={`/businesses/${businessId}/customers/${customer.id}`}>
            {customerLabel(customer)}
          </Link>
          {customer.email && customer.name && <div className="muted small">{customer.email}</div>}
        </>
      ),
    },
    {
      header: 'Last seen',
      cell: (customer) => formatDateTime(customer.lastSeenAt),
    },
    {
      header: 'Events',
      className: 'number hide-narrow',
      cell: (customer) => customer.eventCount.toLocaleString(),
    },
    {
      header: 'Orders',
      className: 'number',
      cell: (customer) => customer.orderCount.toLocaleString(),
    },
    {
      header: 'Revenue',
      className: 'number hide-narrow',
      cell: (customer) => formatCents(customer.revenueCents),
    },
    {
      header: 'RFM segment',
      className: 'hide-narrow',
      cell: (customer) =>
        customer.scores ? (
          <span data-testid="rfm-segment">{RFM_SEGMENT_LABELS[customer.scores.rfmSegment]}</span>
        ) : (
          <span className="muted">Not scored</span>
        ),
    },
    {
      header: 'Churn risk',
      cell: (customer) =>
        customer.scores?.churnTier ? (
          <span
            className={`churn-tier churn-${customer.scores.churnTier}`}
            data-testid="churn-tier"
            title={
              customer.scores.churnRisk === null
                ? undefined
                : `${String(Math.round(customer.scores.churnRisk * 100))} % chance they have stopped buying`
            }
          >
            {CHURN_TIER_LABELS[customer.scores.churnTier].replace(' churn risk', '')}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      // At phone width the churn tier stays; the value is on the profile (a 390 px screen holds
      // the name, last seen, orders and the tier).
      header: 'CLV',
      className: 'number hide-narrow',
      cell: (customer) => formatCents(customer.scores?.clvCents),
    },
  ];
}
