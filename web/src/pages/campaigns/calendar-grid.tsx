// The calendar as a month or week grid, the way social schedulers show it: a card per piece on
// its day, coloured by platform with its status, today marked. Cards are dragged to another day
// (native drag and drop) or moved with "Move to…" (keyboard and phone); calendar-move.ts applies
// the workflow's rules.
import './calendar-grid.css';

import { type DragEvent, type SubmitEvent, useState } from 'react';
import { Link } from 'react-router';

import { useSession } from '../../api/context';
import { statusLabel } from '../../format/labels';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import {
  addDays,
  addMonths,
  calendarDay,
  monthGrid,
  monthLabel,
  shortDay,
  todayIn,
  wallClock,
  weekDays,
} from './calendar-dates';
import { moveRefusal, useMoveContent } from './calendar-move';
import { type Campaign, type Content, platformLabel } from './queries';

type Mode = 'month' | 'week';
export type CalendarView = 'grid' | 'list';
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DRAG_TYPE = 'application/x-herald-content';

const viewKey = (userId: string | undefined) => `herald.calendar-view.${userId ?? 'anonymous'}`;

/** Grid or list, remembered per user in this browser. */
export function useCalendarView(): [CalendarView, (view: CalendarView) => void] {
  const userId = useSession()?.user.id;
  const [view, setView] = useState<CalendarView>(() => {
    try {
      return localStorage.getItem(viewKey(userId)) === 'list' ? 'list' : 'grid';
    } catch {
      return 'grid';
    }
  });
  const choose = (next: CalendarView) => {
    setView(next);
    try {
      localStorage.setItem(viewKey(userId), next);
    } catch {
      // Private mode: the choice lasts for this visit only.
    }
  };
  return [view, choose];
}

export function CalendarViewToggle(props: {
  view: CalendarView;
  onChange: (view: CalendarView) => void;
}) {
  return (
    <div className="cal-toggle" role="group" aria-label="View">
      {(['grid', 'list'] as const).map((value) => (
        <button
          key={value}
          type="button"
          className="button secondary"
          aria-pressed={props.view === value}
          onClick={() => {
            props.onChange(value);
          }}
        >
          {value === 'grid' ? 'Grid' : 'List'}
        </button>
      ))}
    </div>
  );
}

/** The day the grid opens on: today during the campaign, else the first dated piece or the start. */
function openingDay(campaign: Campaign, days: string[], today: string): string {
  const first = [...days].sort()[0];
  const start = campaign.startDate ?? first ?? today;
  const end = campaign.endDate ?? [...days].sort().at(-1) ?? start;
  if (today >= start && today <= end) return today;
  return first ?? start;
}

export function CalendarGrid(props: {
  campaign: Campaign;
  contents: Content[];
  timeZone: string;
  now?: Date;
}) {
  const { campaign, contents, timeZone } = props;
  // A member who cannot write sees the calendar without moving anything.
  const readOnly = !can(useScopedBusiness(), 'content.write');
  const today = todayIn(timeZone, props.now);
  const dayOf = new Map(contents.map((content) => [content.id, calendarDay(content, timeZone)]));
  const [mode, setMode] = useState<Mode>(() =>
    typeof window !== 'undefined' && window.matchMedia('(max-width: 640px)').matches
      ? 'week'
      : 'month',
  );
  const [anchor, setAnchor] = useState(() =>
    openingDay(
      campaign,
      [...dayOf.values()].filter((day): day is string => day !== null),
      today,
    ),
  );
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const move = useMoveContent(campaign.businessId, campaign.id, timeZone);

  const moveTo = (content: Content, day: string) => {
    if (readOnly || dayOf.get(content.id) === day) return;
    const name = `“${content.topic || 'Untitled piece'}”`;
    const refusal = moveRefusal(content, day, timeZone, props.now);
    if (refusal) {
      setNotice({ text: `Could not move ${name}: ${refusal}`, error: true });
      return;
    }
    setNotice(null);
    move.mutate(
      { content, day },
      {
        onSuccess: () => {
          setNotice({ text: `Moved ${name} to ${shortDay(day)}.`, error: false });
        },
        onError: (error) => {
          setNotice({ text: `Could not move ${name}: ${error.message}`, error: true });
        },
      },
    );
  };

  const byDay = new Map<string, Content[]>();
  for (const content of contents) {
    const day = dayOf.get(content.id);
    if (day) byDay.set(day, [...(byDay.get(day) ?? []), content]);
  }
  const month = anchor.slice(0, 7);
  const weeks = mode === 'month' ? monthGrid(month) : [weekDays(anchor)];

  const week = weekDays(anchor);
  const sunday = week[6] ?? anchor;
  const title =
    mode === 'month'
      ? monthLabel(month)
      : `${shortDay(week[0] ?? anchor)} – ${shortDay(sunday)}, ${sunday.slice(0, 4)}`;
  const step = (delta: number) => {
    setAnchor(mode === 'month' ? `${addMonths(month, delta)}-01` : addDays(anchor, delta * 7));
  };

  return (
    <div className="cal" data-testid="calendar-grid" data-mode={mode}>
      <div className="cal-nav">
        <button
          type="button"
          className="button secondary"
          aria-label={mode === 'month' ? 'Previous month' : 'Previous week'}
          onClick={() => {
            step(-1);
          }}
        >
          ‹
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setAnchor(today);
          }}
        >
          Today
        </button>
        <button
          type="button"
          className="button secondary"
          aria-label={mode === 'month' ? 'Next month' : 'Next week'}
          onClick={() => {
            step(1);
          }}
        >
          ›
        </button>
        <h3 className="cal-title" aria-live="polite" data-testid="calendar-period">
          {title}
        </h3>
        <div className="cal-toggle" role="group" aria-label="Period">
          {(['month', 'week'] as const).map((value) => (
            <button
              key={value}
              type="button"
              className="button secondary"
              aria-pressed={mode === value}
              onClick={() => {
                setMode(value);
              }}
            >
              {value === 'month' ? 'Month' : 'Week'}
            </button>
          ))}
        </div>
      </div>
      {notice && (
        <p
          className={notice.error ? 'notice error' : 'notice'}
          role={notice.error ? 'alert' : 'status'}
          data-testid="calendar-notice"
        >
          {notice.text}
        </p>
      )}
      <p className="muted small cal-hint">
        Drag a card to another day, or use “Move to…” on it. Times are in {timeZone}.
      </p>
      <div className={`cal-grid cal-${mode}`}>
        {WEEKDAYS.map((name) => (
          <div key={name} className="cal-weekday" aria-hidden="true">
            {name}
          </div>
        ))}
        {weeks.flat().map((day) => (
          <CalendarCell
            key={day}
            day={day}
            today={day === today}
            outside={mode === 'month' && day.slice(0, 7) !== month}
            items={byDay.get(day) ?? []}
            contents={contents}
            timeZone={timeZone}
            readOnly={readOnly}
            onMove={moveTo}
          />
        ))}
      </div>
    </div>
  );
}

function CalendarCell(props: {
  day: string;
  today: boolean;
  outside: boolean;
  items: Content[];
  contents: Content[];
  timeZone: string;
  readOnly: boolean;
  onMove: (content: Content, day: string) => void;
}) {
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const id = event.dataTransfer.getData(DRAG_TYPE) || event.dataTransfer.getData('text/plain');
    const content = props.contents.find((item) => item.id === id);
    if (content) props.onMove(content, props.day);
  };
  const classes = ['cal-cell', props.today && 'today', props.outside && 'outside', over && 'over']
    .filter(Boolean)
    .join(' ');
  return (
    <section
      className={classes}
      data-testid="calendar-cell"
      data-day={props.day}
      aria-label={`${shortDay(props.day)}${props.today ? ' (today)' : ''}: ${props.items.length} ${props.items.length === 1 ? 'piece' : 'pieces'}`}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={() => {
        setOver(false);
      }}
      onDrop={drop}
    >
      <div className="cal-day-number">
        <span className="cal-weekday-inline">
          {WEEKDAYS[(new Date(`${props.day}T00:00:00Z`).getUTCDay() + 6) % 7]}{' '}
        </span>
        <time dateTime={props.day}>{Number(props.day.slice(8))}</time>
        {props.today && <span className="cal-today-label">Today</span>}
      </div>
      {props.items.map((content) => (
        <CalendarCard
          key={content.id}
          content={content}
          day={props.day}
          timeZone={props.timeZone}
          readOnly={props.readOnly}
          onMove={props.onMove}
        />
      ))}
    </section>
  );
}

function CalendarCard(props: {
  content: Content;
  day: string;
  timeZone: string;
  readOnly: boolean;
  onMove: (content: Content, day: string) => void;
}) {
  const { content } = props;
  const [moving, setMoving] = useState(false);
  const [target, setTarget] = useState(props.day);
  const published = content.status === 'published';
  const fixed = published || props.readOnly;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setMoving(false);
    if (/^\d{4}-\d{2}-\d{2}$/.test(target)) props.onMove(content, target);
  };
  const topic = content.topic || 'Untitled piece';
  // When it goes (or went) out, on the business's clocks.
  const at =
    content.status === 'scheduled'
      ? content.publishAt
      : content.status === 'published'
        ? content.publishedAt
        : null;
  // Nobody has written it yet (the list's isPlaceholder rule).
  const placeholder = content.body === null || content.currentVersion === 0;
  return (
    <article
      className={`cal-card cal-platform-${content.platform} cal-status-${content.status}${placeholder ? ' placeholder' : ''}`}
      data-testid="calendar-card"
      data-id={content.id}
      data-status={content.status}
      draggable={!fixed}
      title={
        published
          ? 'Published: it stays on the day it went out'
          : props.readOnly
            ? undefined
            : 'Drag to another day'
      }
      onDragStart={(event) => {
        if (fixed) {
          event.preventDefault();
          return;
        }
        event.dataTransfer.setData(DRAG_TYPE, content.id);
        event.dataTransfer.setData('text/plain', content.id);
        event.dataTransfer.effectAllowed = 'move';
      }}
    >
      <div className="cal-card-head">
        <span className="cal-platform">{platformLabel(content.platform)}</span>
        <span className={`cal-status status-${content.status}`}>
          {placeholder ? 'Placeholder' : statusLabel(content.status)}
          {at && ` ${wallClock(props.timeZone, at).slice(11)}`}
        </span>
      </div>
      <Link to={`/businesses/${content.businessId}/content/${content.id}`} draggable={false}>
        {topic}
      </Link>
      {!fixed &&
        (moving ? (
          <form className="cal-move" onSubmit={submit} aria-label={`Move ${topic}`}>
            <label>
              <span className="visually-hidden">New day for {topic}</span>
              <input
                type="date"
                value={target}
                required
                onChange={(event) => {
                  setTarget(event.target.value);
                }}
              />
            </label>
            <button type="submit" className="button">
              Move
            </button>
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setMoving(false);
              }}
            >
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="button link cal-move-open"
            aria-label={`Move ${topic} to another day`}
            onClick={() => {
              setTarget(props.day);
              setMoving(true);
            }}
          >
            Move to…
          </button>
        ))}
    </article>
  );
}
