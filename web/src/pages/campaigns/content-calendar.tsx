// The campaign's content by date: every placeholder the strategy planned and every written
// piece with its status, as a month / week grid (calendar-grid.tsx) or a list grouped by campaign
// week, each opening the editor. Filters narrow it down to a platform or a status.
import { useState } from 'react';
import { Link } from 'react-router';

import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, Skeleton, StatusBadge } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { useScopedBusiness } from '../business-scope';
import { calendarDay, weekLabel, weekStartOf } from './calendar-dates';
import { CalendarGrid, CalendarViewToggle, useCalendarView } from './calendar-grid';
import { formatDay } from './campaigns-page';
import { type Campaign, type Content, platformLabel, useCampaignContent } from './queries';

/** A piece the strategy planned and nobody has written yet. */
export function isPlaceholder(content: Pick<Content, 'body' | 'currentVersion'>): boolean {
  return content.body === null || content.currentVersion === 0;
}

/**
 * Pieces grouped by campaign week (from the start date; Monday weeks without one), then by day,
 * in date order, each on the day it goes out in the business's zone; undated pieces come last.
 */
export function groupByWeek(contents: Content[], startDate: string | null, timeZone: string) {
  const dated = contents
    .map((content) => ({ content, day: calendarDay(content, timeZone) }))
    .filter((entry): entry is { content: Content; day: string } => entry.day !== null)
    .sort(
      (a, b) => a.day.localeCompare(b.day) || a.content.platform.localeCompare(b.content.platform),
    );
  const weeks: { week: string; label: string; days: { day: string; items: Content[] }[] }[] = [];
  for (const { content, day } of dated) {
    const week = weekStartOf(day, startDate);
    let group = weeks.at(-1);
    if (group?.week !== week) {
      group = { week, label: weekLabel(week, startDate), days: [] };
      weeks.push(group);
    }
    let dayGroup = group.days.at(-1);
    if (dayGroup?.day !== day) {
      dayGroup = { day, items: [] };
      group.days.push(dayGroup);
    }
    dayGroup.items.push(content);
  }
  return {
    weeks,
    undated: contents.filter((content) => calendarDay(content, timeZone) === null),
  };
}

export function ContentCalendar({ campaign }: { campaign: Campaign }) {
  const contents = useCampaignContent(campaign.businessId, campaign.id);
  const { timezone } = useScopedBusiness();
  const [view, setView] = useCalendarView();
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
  const { weeks, undated } = groupByWeek(shown, campaign.startDate, timezone);
  return (
    <section aria-labelledby="calendar-title" data-testid="content-calendar">
      <h2 id="calendar-title" className="visually-hidden">
        Content calendar
      </h2>
      <div className="toolbar">
        <CalendarViewToggle view={view} onChange={setView} />
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
      {view === 'grid' && <CalendarGrid campaign={campaign} contents={shown} timeZone={timezone} />}
      {view === 'list' &&
        weeks.map((week) => (
          <section
            key={week.week}
            className="calendar-week"
            aria-label={week.label}
            data-testid="calendar-week"
            data-week-start={week.week}
          >
            <h3>{week.label}</h3>
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
