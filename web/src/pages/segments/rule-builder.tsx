// The rule builder: AND/OR groups of conditions (traits, profile fields, events, orders,
// revenue, email consent, the latest intelligence run's scores), nested up to four levels,
// editing the rule document in place.
import {
  CHURN_TIER_LABELS,
  CHURN_TIERS,
  type ChurnTierName,
  RFM_SEGMENT_LABELS,
  RFM_SEGMENTS,
  type RfmSegment,
} from '@shared/scores';
import { useId, useState } from 'react';

import {
  childrenOf,
  type Condition,
  type ConditionKind,
  isGroup,
  KIND_LABELS,
  kindOf,
  MAX_DEPTH,
  newCondition,
  NUMBER_OP_LABELS,
  type NumberOp,
  parseScalar,
  type RuleGroup,
  type RuleNode,
  SCORE_LABELS,
  type ScoreName,
  VALUE_OP_LABELS,
  type ValueOp,
  withChildren,
} from './rules';

const VALUE_OPS = Object.keys(VALUE_OP_LABELS) as ValueOp[];
const NUMBER_OPS = Object.keys(NUMBER_OP_LABELS) as NumberOp[];
const KINDS = Object.keys(KIND_LABELS) as ConditionKind[];
const SCORES = Object.keys(SCORE_LABELS) as ScoreName[];
const takesValue = (op: string) => op !== 'exists' && op !== 'not_exists';
const asText = (value: string | number | boolean | undefined) =>
  value === undefined ? '' : String(value);

export function RuleBuilder(props: { rules: RuleGroup; onChange: (rules: RuleGroup) => void }) {
  return <GroupEditor group={props.rules} depth={1} onChange={props.onChange} />;
}

function GroupEditor(props: {
  group: RuleGroup;
  depth: number;
  onChange: (group: RuleGroup) => void;
  onRemove?: () => void;
}) {
  const { group, depth } = props;
  const children = childrenOf(group);
  const [kind, setKind] = useState<ConditionKind>('trait');
  const id = useId();
  const update = (next: RuleNode[]) => {
    props.onChange(withChildren(group, next));
  };
  const replace = (index: number, node: RuleNode) => {
    update(children.map((child, at) => (at === index ? node : child)));
  };
  const remove = (index: number) => {
    update(children.filter((_, at) => at !== index));
  };

  return (
    <fieldset className="seg-group" data-testid="rule-group">
      <legend className="seg-group-head">
        <label htmlFor={`${id}-join`}>Customers who match</label>{' '}
        <select
          id={`${id}-join`}
          aria-label="Match all or any"
          value={'all' in group ? 'all' : 'any'}
          onChange={(event) => {
            props.onChange(event.target.value === 'all' ? { all: children } : { any: children });
          }}
        >
          <option value="all">all of these (AND)</option>
          <option value="any">any of these (OR)</option>
        </select>
        {props.onRemove && (
          <button type="button" className="button link" onClick={props.onRemove}>
            Remove group
          </button>
        )}
      </legend>
      {children.length === 0 && <p className="muted small">No conditions yet: add one below.</p>}
      <ul className="seg-children">
        {children.map((child, index) => (
          <li key={index}>
            {isGroup(child) ? (
              <GroupEditor
                group={child}
                depth={depth + 1}
                onChange={(next) => {
                  replace(index, next);
                }}
                onRemove={() => {
                  remove(index);
                }}
              />
            ) : (
              <ConditionEditor
                condition={child}
                onChange={(next) => {
                  replace(index, next);
                }}
                onRemove={() => {
                  remove(index);
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <div className="seg-add">
        <select
          aria-label="Kind of condition"
          value={kind}
          onChange={(event) => {
            setKind(event.target.value as ConditionKind);
          }}
        >
          {KINDS.map((option) => (
            <option key={option} value={option}>
              {KIND_LABELS[option]}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            update([...children, newCondition(kind)]);
          }}
        >
          Add condition
        </button>
        {depth < MAX_DEPTH && (
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              update([...children, { any: [newCondition('trait')] }]);
            }}
          >
            Add group
          </button>
        )}
      </div>
    </fieldset>
  );
}

function ConditionEditor(props: {
  condition: Condition;
  onChange: (condition: Condition) => void;
  onRemove: () => void;
}) {
  const { condition, onChange } = props;
  return (
    <div className="seg-condition" data-testid="rule-condition">
      <span className="seg-kind">{KIND_LABELS[kindOf(condition)]}</span>
      <ConditionFields condition={condition} onChange={onChange} />
      <button
        type="button"
        className="button link"
        aria-label="Remove condition"
        onClick={props.onRemove}
      >
        Remove
      </button>
    </div>
  );
}

function OpSelect<Op extends string>(props: {
  value: Op;
  ops: readonly Op[];
  labels: Record<Op, string>;
  onChange: (op: Op) => void;
  label?: string;
}) {
  return (
    <select
      aria-label={props.label ?? 'Operator'}
      value={props.value}
      onChange={(event) => {
        props.onChange(event.target.value as Op);
      }}
    >
      {props.ops.map((op) => (
        <option key={op} value={op}>
          {props.labels[op]}
        </option>
      ))}
    </select>
  );
}

function NumberInput(props: { value: number; label: string; onChange: (value: number) => void }) {
  return (
    <input
      type="number"
      min={0}
      step="any"
      inputMode="decimal"
      aria-label={props.label}
      className="seg-number"
      value={Number.isNaN(props.value) ? '' : props.value}
      onChange={(event) => {
        props.onChange(event.target.valueAsNumber);
      }}
    />
  );
}

function ConditionFields(props: {
  condition: Condition;
  onChange: (condition: Condition) => void;
}) {
  const { condition, onChange } = props;
  if ('trait' in condition) {
    return (
      <>
        <input
          aria-label="Trait name"
          placeholder="plan"
          maxLength={200}
          value={condition.trait}
          onChange={(event) => {
            onChange({ ...condition, trait: event.target.value });
          }}
        />
        <OpSelect
          value={condition.op}
          ops={VALUE_OPS}
          labels={VALUE_OP_LABELS}
          onChange={(op) => {
            onChange({
              trait: condition.trait,
              op,
              ...(takesValue(op) ? { value: condition.value ?? '' } : {}),
            });
          }}
        />
        {takesValue(condition.op) && (
          <input
            aria-label="Trait value"
            placeholder="pro"
            maxLength={500}
            value={asText(condition.value)}
            onChange={(event) => {
              onChange({ ...condition, value: parseScalar(event.target.value) });
            }}
          />
        )}
      </>
    );
  }
  if ('field' in condition) {
    const fieldSelect = (
      <select
        aria-label="Profile field"
        value={condition.field}
        onChange={(event) => {
          const field = event.target.value;
          onChange(
            field === 'email'
              ? { field: 'email', op: 'contains', value: '' }
              : field === 'eventCount'
                ? { field: 'eventCount', op: 'gte', value: 1 }
                : { field: field as 'lastSeenAt' | 'firstSeenAt', op: 'within_days', value: 30 },
          );
        }}
      >
        <option value="lastSeenAt">Last seen</option>
        <option value="firstSeenAt">First seen</option>
        <option value="email">Email address</option>
        <option value="eventCount">Events in total</option>
      </select>
    );
    if (condition.field === 'email') {
      return (
        <>
          {fieldSelect}
          <OpSelect
            value={condition.op}
            ops={['eq', 'neq', 'contains', 'exists', 'not_exists'] as const}
            labels={VALUE_OP_LABELS}
            onChange={(op) => {
              onChange({
                field: 'email',
                op,
                ...(takesValue(op) ? { value: condition.value ?? '' } : {}),
              });
            }}
          />
          {takesValue(condition.op) && (
            <input
              aria-label="Email"
              maxLength={320}
              value={condition.value ?? ''}
              onChange={(event) => {
                onChange({ ...condition, value: event.target.value });
              }}
            />
          )}
        </>
      );
    }
    if (condition.field === 'eventCount') {
      return (
        <>
          {fieldSelect}
          <OpSelect
            value={condition.op}
            ops={NUMBER_OPS}
            labels={NUMBER_OP_LABELS}
            onChange={(op) => {
              onChange({ ...condition, op });
            }}
          />
          <NumberInput
            label="Number of events"
            value={condition.value}
            onChange={(value) => {
              onChange({ ...condition, value });
            }}
          />
        </>
      );
    }
    const byDays = condition.op === 'within_days' || condition.op === 'not_within_days';
    return (
      <>
        {fieldSelect}
        <select
          aria-label="When"
          value={condition.op}
          onChange={(event) => {
            const op = event.target.value as typeof condition.op;
            const days = op === 'within_days' || op === 'not_within_days';
            onChange({
              ...condition,
              op,
              value:
                days === byDays
                  ? condition.value
                  : days
                    ? 30
                    : new Date().toISOString().slice(0, 10),
            });
          }}
        >
          <option value="within_days">in the last … days</option>
          <option value="not_within_days">not in the last … days</option>
          <option value="before">before</option>
          <option value="after">after</option>
        </select>
        {byDays ? (
          <NumberInput
            label="Days"
            value={Number(condition.value)}
            onChange={(value) => {
              onChange({ ...condition, value });
            }}
          />
        ) : (
          <input
            type="date"
            aria-label="Date"
            value={String(condition.value).slice(0, 10)}
            onChange={(event) => {
              onChange({
                ...condition,
                value: event.target.value ? `${event.target.value}T00:00:00Z` : '',
              });
            }}
          />
        )}
      </>
    );
  }
  if ('event' in condition) {
    const filter = condition.where?.[0];
    return (
      <>
        <input
          aria-label="Event name"
          placeholder="Signed Up"
          maxLength={200}
          value={condition.event}
          onChange={(event) => {
            onChange({ ...condition, event: event.target.value });
          }}
        />
        <OpSelect
          label="How often"
          value={condition.count.op}
          ops={['gte', 'lte', 'eq'] as const}
          labels={NUMBER_OP_LABELS}
          onChange={(op) => {
            onChange({ ...condition, count: { ...condition.count, op } });
          }}
        />
        <NumberInput
          label="Times"
          value={condition.count.value}
          onChange={(value) => {
            onChange({ ...condition, count: { ...condition.count, value: Math.round(value) } });
          }}
        />
        <span className="muted small">times, in the last</span>
        <input
          type="number"
          min={1}
          aria-label="In the last (days)"
          placeholder="any"
          className="seg-number"
          value={condition.withinDays ?? ''}
          onChange={(event) => {
            const days = event.target.valueAsNumber;
            const rest = { ...condition };
            delete rest.withinDays;
            onChange(Number.isNaN(days) ? rest : { ...rest, withinDays: days });
          }}
        />
        <span className="muted small">days, where</span>
        <input
          aria-label="Event property"
          placeholder="property (optional)"
          maxLength={200}
          value={filter?.property ?? ''}
          onChange={(event) => {
            const property = event.target.value;
            const rest = { ...condition };
            delete rest.where;
            onChange(
              property === ''
                ? rest
                : { ...rest, where: [{ property, op: 'eq', value: filter?.value ?? '' }] },
            );
          }}
        />
        {filter && (
          <input
            aria-label="Property value"
            maxLength={500}
            value={asText(filter.value)}
            onChange={(event) => {
              onChange({
                ...condition,
                where: [{ ...filter, value: parseScalar(event.target.value) }],
              });
            }}
          />
        )}
      </>
    );
  }
  if ('score' in condition) {
    const amount = condition.score === 'clv' || condition.score === 'expectedOrderValue';
    return (
      <>
        <select
          aria-label="Score"
          value={condition.score}
          onChange={(event) => {
            onChange({ ...condition, score: event.target.value as ScoreName });
          }}
        >
          {SCORES.map((score) => (
            <option key={score} value={score}>
              {SCORE_LABELS[score]}
            </option>
          ))}
        </select>
        <OpSelect
          value={condition.op}
          ops={NUMBER_OPS}
          labels={NUMBER_OP_LABELS}
          onChange={(op) => {
            onChange({ ...condition, op });
          }}
        />
        <NumberInput
          label="Score value"
          value={condition.value}
          onChange={(value) => {
            onChange({ ...condition, value });
          }}
        />
        <span className="muted small">
          {amount ? 'in your currency, ' : ''}latest intelligence run
        </span>
      </>
    );
  }
  if ('rfmSegment' in condition) {
    return (
      <select
        aria-label="RFM segment"
        value={condition.rfmSegment}
        onChange={(event) => {
          onChange({ rfmSegment: event.target.value as RfmSegment });
        }}
      >
        {RFM_SEGMENTS.map((segment) => (
          <option key={segment} value={segment}>
            {RFM_SEGMENT_LABELS[segment]}
          </option>
        ))}
      </select>
    );
  }
  if ('churnTier' in condition) {
    return (
      <select
        aria-label="Churn risk tier"
        value={condition.churnTier}
        onChange={(event) => {
          onChange({ churnTier: event.target.value as ChurnTierName });
        }}
      >
        {CHURN_TIERS.map((tier) => (
          <option key={tier} value={tier}>
            {CHURN_TIER_LABELS[tier]}
          </option>
        ))}
      </select>
    );
  }
  if ('orders' in condition || 'revenue' in condition) {
    const isOrders = 'orders' in condition;
    const comparison = isOrders ? condition.orders : condition.revenue;
    const set = (next: { op: NumberOp; value: number }) => {
      onChange(isOrders ? { orders: next } : { revenue: next });
    };
    return (
      <>
        <OpSelect
          value={comparison.op}
          ops={NUMBER_OPS}
          labels={NUMBER_OP_LABELS}
          onChange={(op) => {
            set({ ...comparison, op });
          }}
        />
        <NumberInput
          label={isOrders ? 'Number of orders' : 'Revenue'}
          value={comparison.value}
          onChange={(value) => {
            set({ ...comparison, value });
          }}
        />
        <span className="muted small">{isOrders ? 'orders' : 'in revenue (net of refunds)'}</span>
      </>
    );
  }
  return (
    <select
      aria-label="Consent"
      value={condition.consent}
      onChange={(event) => {
        onChange({ consent: event.target.value as typeof condition.consent });
      }}
    >
      <option value="subscribed">subscribed to email</option>
      <option value="unsubscribed">unsubscribed</option>
      <option value="pending">waiting for confirmation</option>
      <option value="none">not a subscriber</option>
    </select>
  );
}
