// One segment: its name and rules in the builder with the live size as you edit (debounced),
// and, once saved, its members and size history; or a new segment at `segments/new`.
import './segments.css';

import { type SubmitEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { ApiError } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDebounced } from '../../hooks/use-debounced';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { RuleBuilder } from './rule-builder';
import { newCondition, type RuleGroup, rulesComplete } from './rules';
import {
  rulesOf,
  type Segment,
  useDeleteSegment,
  useSaveSegment,
  useSegment,
  useSegmentMembers,
  useSegmentPreview,
  useSegmentSizes,
} from './segment-queries';

const PREVIEW_DELAY_MS = 400;

export function SegmentPage() {
  const business = useScopedBusiness();
  const { segmentId: param } = useParams();
  const segmentId = param === 'new' ? undefined : param;
  const segment = useSegment(business.id, segmentId);
  useDocumentTitle(segment.data?.name ?? 'New segment', business.name);

  if (segmentId && segment.isPending) return <Skeleton lines={6} label="Loading the segment…" />;
  if (segmentId && segment.isError) {
    return (
      <ErrorNotice
        error={segment.error}
        title="Could not load the segment"
        onRetry={() => void segment.refetch()}
      />
    );
  }
  return (
    <>
      <p>
        <Link to={`/businesses/${business.id}/segments`}>← Segments</Link>
      </p>
      <SegmentEditor
        key={segment.data?.id ?? 'new'}
        businessId={business.id}
        segment={segment.data}
      />
      {segment.data && (
        <div className="grid-two">
          <Members businessId={business.id} segment={segment.data} />
          <SizeHistory businessId={business.id} segmentId={segment.data.id} />
        </div>
      )}
    </>
  );
}

function SegmentEditor(props: { businessId: string; segment: Segment | undefined }) {
  const business = useScopedBusiness();
  const mayEdit = can(business, 'content.write');
  const navigate = useNavigate();
  const [name, setName] = useState(props.segment?.name ?? '');
  const [rules, setRules] = useState<RuleGroup>(
    props.segment ? rulesOf(props.segment) : { all: [newCondition('trait')] },
  );
  const complete = rulesComplete(rules);
  const previewRules = useDebounced(complete ? rules : null, PREVIEW_DELAY_MS);
  const preview = useSegmentPreview(props.businessId, previewRules);
  const save = useSaveSegment(props.businessId, props.segment?.id);
  const remove = useDeleteSegment(props.businessId);
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};

  function submit(event: SubmitEvent) {
    event.preventDefault();
    save.mutate(
      { name, rules },
      {
        onSuccess: (saved) => {
          if (!props.segment) void navigate(`/businesses/${props.businessId}/segments/${saved.id}`);
        },
      },
    );
  }

  return (
    <>
      <PageHeader
        title={props.segment ? props.segment.name : 'New segment'}
        description={
          props.segment
            ? `${props.segment.size.toLocaleString()} ${props.segment.size === 1 ? 'customer' : 'customers'} · ${
                props.segment.refreshedAt
                  ? `updated ${formatDateTime(props.segment.refreshedAt)}`
                  : 'not computed yet'
              }`
            : 'Describe who belongs in it; the size updates as you edit.'
        }
        actions={
          props.segment &&
          mayEdit && (
            <button
              type="button"
              className="button danger"
              disabled={remove.isPending}
              onClick={() => {
                const segment = props.segment;
                if (!segment || !window.confirm(`Delete the segment “${segment.name}”?`)) return;
                remove.mutate(segment.id, {
                  onSuccess: () => void navigate(`/businesses/${props.businessId}/segments`),
                });
              }}
            >
              Delete
            </button>
          )
        }
      />
      {remove.isError && <ErrorNotice error={remove.error} title="The segment was not deleted" />}
      <form className="card form" onSubmit={submit} aria-label="Segment rules">
        <Field
          label="Segment name"
          hint="For you and your team, e.g. “Pro plan, gone quiet”"
          error={fields.name}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              required
              maxLength={160}
              value={name}
              disabled={!mayEdit}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        <RuleBuilder rules={rules} onChange={setRules} />
        <section className="seg-live" aria-live="polite" data-testid="live-size">
          {!complete && (
            <span className="muted">Fill in every condition to see how many match.</span>
          )}
          {complete && preview.isError && (
            <ErrorNotice error={preview.error} title="Could not count the matching customers" />
          )}
          {complete && !preview.isError && preview.data && (
            <>
              <strong data-testid="live-size-count">{preview.data.size.toLocaleString()}</strong>
              <span>
                {preview.data.size === 1 ? 'customer matches' : 'customers match'} now
                {preview.isFetching ? ' (updating…)' : ''}
              </span>
              {preview.data.sample.length > 0 && (
                <ul className="seg-sample muted small">
                  {preview.data.sample.map((customer) => (
                    <li key={customer.id}>
                      {customer.email ?? customer.name ?? customer.userId ?? customer.id}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
          {complete && !preview.isError && !preview.data && (
            <span className="muted">Counting…</span>
          )}
        </section>
        {save.isError && Object.keys(fields).length === 0 && (
          <ErrorNotice error={save.error} title="The segment was not saved" />
        )}
        {mayEdit && (
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={save.isPending || !complete}>
              {save.isPending ? 'Saving…' : props.segment ? 'Save changes' : 'Save segment'}
            </button>
          </div>
        )}
      </form>
    </>
  );
}

function Members(props: { businessId: string; segment: Segment }) {
  const members = useSegmentMembers(props.businessId, props.segment.id);
  const items = members.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isPending && <Skeleton lines={3} label="Loading members…" />}
      {members.isError && (
        <ErrorNotice
          error={members.error}
          title="Could not load the members"
          onRetry={() => void members.refetch()}
        />
      )}
      {members.isSuccess && items.length === 0 && (
        <EmptyState title="No members" testId="members-empty">
          <p>No customer matches these rules yet.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable
          label="Members"
          rows={items}
          rowKey={(member) => member.id}
          rowTestId="member-row"
          columns={[
            {
              header: 'Customer',
              cell: (member) => (
                <>
                  <div>{member.email ?? member.userId ?? member.id}</div>
                  {member.name && <div className="muted small">{member.name}</div>}
                </>
              ),
            },
            {
              header: 'Joined',
              className: 'hide-narrow',
              cell: (member) => formatDateTime(member.enteredAt),
            },
          ]}
        />
      )}
      {members.data?.nextCursor && (
        <p className="muted small">Showing the {items.length} latest to join.</p>
      )}
    </section>
  );
}

function SizeHistory(props: { businessId: string; segmentId: string }) {
  const sizes = useSegmentSizes(props.businessId, props.segmentId);
  const points = (sizes.data?.items ?? []).map((point) => ({
    at: formatDateTime(point.measuredAt),
    size: point.size,
  }));
  return (
    <section className="card" aria-labelledby="sizes-title">
      <h2 id="sizes-title">Size over 30 days</h2>
      {sizes.isPending && <Skeleton lines={3} label="Loading the size history…" />}
      {sizes.isError && (
        <ErrorNotice
          error={sizes.error}
          title="Could not load the size history"
          onRetry={() => void sizes.refetch()}
        />
      )}
      {sizes.isSuccess && points.length === 0 && <p className="muted">No history yet.</p>}
      {points.length > 0 && (
        <div className="seg-chart" data-testid="size-chart">
          <ResponsiveContainer>
            <LineChart data={points} margin={{ top: 8, right: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="at" tickLine={false} hide />
              <YAxis width={48} allowDecimals={false} />
              <Tooltip />
              <Line dataKey="size" name="Customers" stroke="#4f46e5" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
