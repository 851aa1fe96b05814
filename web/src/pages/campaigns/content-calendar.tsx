// The campaign's content by date: every placeholder the strategy planned and every written
// piece with its status, grouped by week, each opening the editor. Filters narrow it down to a
// platform or a status.
import { useState } from 'react';
import { Link } from 'react-router';

import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, Skeleton, StatusBadge } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { formatDay } from './campaigns-page';
import { type Campaign, type Content, platformLabel, useCampaignContent } from './queries';

/** A piece the strategy planned and nobody has written yet. */
export function isPlaceholder(content: Pick<Content, 'body' | 'currentVersion'>): boolean {
  return content.body === null || content.currentVersion === 0;
}

/** The Monday (UTC) of the week of an ISO date, as an ISO date. */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const offset = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
}

/** Pieces grouped by week, then by day, in date order; undated pieces come last. */
export function groupByWeek(contents: Content[]) {
  const dated = contents
    .filter((content) => content.plannedDate)
    .sort(
      (a, b) =>
        (a.plannedDate ?? '').localeCompare(b.plannedDate ?? '') ||
        a.platform.localeCompare(b.platform),
    );
  const weeks: { week: string; days: { day: string; items: Content[] }[] }[] = [];
  for (const content of dated) {
    const day = content.plannedDate ?? '';
    const week = weekOf(day);
    let group = weeks.at(-1);
    if (group?.week !== week) {
      group = { week, days: [] };
      weeks.push(group);
    }
    let dayGroup = group.days.at(-1);
    if (dayGroup?.day !== day) {
      dayGroup = { day, items: [] };
      group.days.push(dayGroup);
    }
    dayGroup.items.push(content);
  }
  return { weeks, undated: contents.filter((content) => !content.plannedDate) };
}

export function ContentCalendar({ campaign }: { campaign: Campaign }) {
  const contents = useCampaignContent(campaign.businessId, campaign.id);
  const [platform, setPlatform] = useState('');
  const [status, setStatus] = useState('');
  if (contents.isPending) return <Skeleton lines={8} height={28} label="Loading the calendar…" />;
  if (contents.isError) {
    return (
      <ErrorNotice
        error={contents.error}
        title="Could not load the content"
        onRetry={() => void contents.refetch()}
      />
    );
  }
  const all = contents.data.items;
  if (all.length === 0) {
    return (
      <EmptyState
        title="Nothing planned yet"
        testId="calendar-empty"
        action={{
          label: 'Generate the strategy',
          to: `/businesses/${campaign.businessId}/campaigns/${campaign.id}/strategy`,
        }}
      >
        <p>The strategy’s calendar fills this page with placeholders, one per planned piece.</p>
      </EmptyState>
    );
  }
  const platforms = [...new Set(all.map((content) => content.platform))];
  const statuses = [...new Set(all.map((content) => content.status))];
  const shown = all.filter(
    (content) =>
      (!platform || content.platform === platform) && (!status || content.status === status),
  );
  const { weeks, undated } = groupByWeek(shown);
  return (
    <section aria-labelledby="calendar-title" data-testid="content-calendar">
      <h2 id="calendar-title" className="visually-hidden">
        Content calendar
      </h2>
      <div className="toolbar">
        <Field label="Platform">
          {({ id }) => (
            <select
              id={id}
              value={platform}
              onChange={(event) => {
                setPlatform(event.target.value);
              }}
            >
              <option value="">All platforms</option>
              {platforms.map((value) => (
                <option key={value} value={value}>
                  {platformLabel(value)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {({ id }) => (
            <select
              id={id}
              value={status}
              onChange={(event) => {
                setStatus(event.target.value);
              }}
            >
              <option value="">All statuses</option>
              {statuses.map((value) => (
                <option key={value} value={value}>
                  {statusLabel(value)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <p className="muted small">
          {shown.length} of {all.length} pieces ·{' '}
          {all.filter((content) => isPlaceholder(content)).length} placeholders
        </p>
      </div>
      {shown.length === 0 && (
        <p className="muted" role="status">
          No piece matches these filters.
        </p>
      )}
      {weeks.map((week) => (
        <section
          key={week.week}
          className="calendar-week"
          aria-label={`Week of ${formatDay(week.week)}`}
        >
          <h3>Week of {formatDay(week.week)}</h3>
          <ol className="calendar-days">
            {week.days.map((day) => (
              <li key={day.day} className="calendar-day">
                <time dateTime={day.day} className="calendar-date">
                  {formatDay(day.day)}
                </time>
                <ul className="calendar-items">
                  {day.items.map((content) => (
                    <CalendarItem key={content.id} content={content} />
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </section>
      ))}
      {undated.length > 0 && (
        <section className="calendar-week" aria-label="Not dated">
          <h3>Not dated</h3>
          <ul className="calendar-items">
            {undated.map((content) => (
              <CalendarItem key={content.id} content={content} />
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function CalendarItem({ content }: { content: Content }) {
  const placeholder = isPlaceholder(content);
  return (
    <li
      className={`calendar-item${placeholder ? ' placeholder' : ''}`}
      data-testid="calendar-item"
      data-status={content.status}
    >
      <span className={`platform-tag platform-${content.platform}`}>
        {platformLabel(content.platform)}
      </span>
      <Link to={`/businesses/${content.businessId}/content/${content.id}`}>
        {content.topic || '(no topic)'}
      </Link>
      <span className="calendar-meta">
        {placeholder ? <span className="badge placeholder-badge">placeholder</span> : null}
        <StatusBadge status={content.status} />
        {content.contentType !== 'post' && (
          <span className="muted small">{content.contentType}</span>
        )}
      </span>
    </li>
  );
}
