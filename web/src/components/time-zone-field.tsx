// The time-zone picker: a text box with every zone as a suggestion (the browser filters them as
// the user types), that turns a city ("Chicago") into its zone (America/Chicago) when the user
// leaves it, and shows the time there now so the choice can be checked at a glance.
import { useId } from 'react';

import { formatDateTime } from '../format/date-time';
import { resolveTimeZone, timeZoneNames } from '../format/time-zones';
import { Field } from './ui';

export function TimeZoneField(props: {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
}) {
  const listId = useId();
  const zone = resolveTimeZone(props.value);
  const now = zone ? formatDateTime(new Date().toISOString(), zone) : null;
  const hint = [props.hint, now && `Now ${now} in ${zone ?? ''}`].filter(Boolean).join(' · ');
  return (
    <Field label="Time zone" error={props.error} hint={hint || undefined}>
      {({ id, describedBy, invalid }) => (
        <>
          <input
            id={id}
            list={listId}
            autoComplete="off"
            spellCheck={false}
            placeholder="A city, e.g. Chicago"
            value={props.value}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              props.onChange(event.target.value);
            }}
            onBlur={() => {
              if (zone && zone !== props.value) props.onChange(zone);
            }}
          />
          <datalist id={listId}>
            {timeZoneNames().map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

/** The zone to send for what the field holds, or the message to show on it. */
export function checkTimeZone(value: string): { zone: string } | { error: string } {
  if (!value.trim()) return { error: 'Choose a time zone, e.g. type a city such as Chicago' };
  const zone = resolveTimeZone(value);
  return zone
    ? { zone }
    : { error: `No time zone matches “${value.trim()}”: type a city or pick one from the list` };
}
