// The text of a piece, field by field as its platform shapes it, each with a live counter
// against the platform's limit (announced to screen readers when it goes over).
import { Field } from '../../components/ui';
import {
  type Body,
  type BodyField,
  countAgainst,
  fieldsOf,
  hashtagCount,
  LIMITS,
  listOf,
  textOf,
} from './platform-fields';

export function CharacterCounter({ value, limit }: { value: string; limit: number }) {
  const { count, over, near, remaining } = countAgainst(value, limit);
  return (
    <span
      className={`counter${over ? ' over' : near ? ' near' : ''}`}
      data-testid="character-counter"
      aria-live={over ? 'polite' : 'off'}
    >
      {count.toLocaleString()} / {limit.toLocaleString()}
      <span className="visually-hidden">
        {over ? ` characters, ${-remaining} over the limit` : ' characters'}
      </span>
    </span>
  );
}

export function BodyEditor(props: {
  platform: string;
  body: Body;
  problems: Record<string, string>;
  disabled: boolean;
  onChange: (body: Body) => void;
}) {
  const { body, problems } = props;
  const set = (key: string, value: unknown) => {
    props.onChange({ ...body, [key]: value });
  };
  return (
    <div className="body-editor">
      {fieldsOf(props.platform).map((field) =>
        field.kind === 'text' ? (
          <TextFieldEditor
            key={field.key}
            field={field}
            value={textOf(body, field.key)}
            error={problems[field.key]}
            disabled={props.disabled}
            onChange={(value) => {
              set(field.key, value);
            }}
          />
        ) : (
          <ListFieldEditor
            key={field.key}
            field={field}
            items={listOf(body, field.key)}
            problems={problems}
            disabled={props.disabled}
            onChange={(items) => {
              set(field.key, items);
            }}
          />
        ),
      )}
      {props.platform === 'instagram' && (
        <p className="muted small" data-testid="hashtag-counter">
          Hashtags: {hashtagCount(body)} / {LIMITS.instagram.hashtags}
        </p>
      )}
    </div>
  );
}

function TextFieldEditor(props: {
  field: Extract<BodyField, { kind: 'text' }>;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
}) {
  const { field } = props;
  return (
    <Field
      label={field.label}
      error={props.error}
      hint={<CharacterCounter value={props.value} limit={field.limit} />}
    >
      {({ id, describedBy, invalid }) =>
        field.multiline ? (
          <textarea
            id={id}
            rows={field.limit > 1000 ? 8 : 4}
            value={props.value}
            disabled={props.disabled}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              props.onChange(event.target.value);
            }}
          />
        ) : (
          <input
            id={id}
            value={props.value}
            disabled={props.disabled}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              props.onChange(event.target.value);
            }}
          />
        )
      }
    </Field>
  );
}

function ListFieldEditor(props: {
  field: Extract<BodyField, { kind: 'list' }>;
  items: string[];
  problems: Record<string, string>;
  disabled: boolean;
  onChange: (items: string[]) => void;
}) {
  const { field, items } = props;
  const listProblem = props.problems[field.key];
  return (
    <fieldset>
      <legend>
        {field.label}{' '}
        <span className="muted small">
          ({field.minItems}–{field.maxItems}, up to {field.limit} characters each)
        </span>
      </legend>
      {items.map((item, index) => (
        <div key={index} className="list-item">
          <Field
            label={`${field.itemLabel} ${index + 1}`}
            error={props.problems[`${field.key}.${index}`]}
            hint={<CharacterCounter value={item} limit={field.limit} />}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={item}
                disabled={props.disabled}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(event) => {
                  props.onChange(items.map((old, i) => (i === index ? event.target.value : old)));
                }}
              />
            )}
          </Field>
          {items.length > field.minItems && (
            <button
              type="button"
              className="button link"
              disabled={props.disabled}
              aria-label={`Remove ${field.itemLabel.toLowerCase()} ${index + 1}`}
              onClick={() => {
                props.onChange(items.filter((_, i) => i !== index));
              }}
            >
              Remove
            </button>
          )}
        </div>
      ))}
      {items.length < field.maxItems && (
        <button
          type="button"
          className="button secondary"
          disabled={props.disabled}
          onClick={() => {
            props.onChange([...items, '']);
          }}
        >
          Add a {field.itemLabel.toLowerCase()}
        </button>
      )}
      {listProblem && <ErrorNoticeInline message={listProblem} />}
    </fieldset>
  );
}

function ErrorNoticeInline({ message }: { message: string }) {
  return (
    <p className="field-error" role="alert">
      {message}
    </p>
  );
}
