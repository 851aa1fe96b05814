import { describe, expect, it } from 'vitest';

import { offeredActions } from './workflow-moves';

const labels = (actions: { label: string }[]) => actions.map((action) => action.label);

describe('the review moves a member is offered', () => {
  it('an editor submits for review but is not offered Approve', () => {
    const editor = ['business.read', 'content.write'] as const;
    expect(labels(offeredActions('draft', editor))).toEqual(['Submit for review', 'Archive']);
    expect(labels(offeredActions('in_review', editor))).toEqual(['Send back to draft', 'Archive']);
  });

  it('an approver is offered Approve', () => {
    const approver = ['business.read', 'content.write', 'content.approve'] as const;
    expect(labels(offeredActions('in_review', approver))).toEqual([
      'Approve',
      'Send back to draft',
      'Archive',
    ]);
  });

  it('a viewer is offered nothing', () => {
    for (const status of ['draft', 'in_review', 'approved', 'scheduled', 'archived'] as const) {
      expect(offeredActions(status, ['business.read'])).toEqual([]);
    }
  });
});
