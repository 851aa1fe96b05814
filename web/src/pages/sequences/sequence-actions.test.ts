import { describe, expect, it } from 'vitest';

import { actionsFor } from './sequence-queries';

describe('the sequence status changes a member is offered', () => {
  const editor = ['business.read', 'content.write'] as const;
  const approver = ['business.read', 'content.write', 'content.approve'] as const;

  it('starting to send (activate, resume) only for approvers', () => {
    expect(actionsFor('draft', approver)).toEqual(['activate', 'archive']);
    expect(actionsFor('draft', editor)).toEqual(['archive']);
    expect(actionsFor('paused', approver)).toEqual(['resume', 'archive']);
    expect(actionsFor('paused', editor)).toEqual(['archive']);
  });

  it('an editor may stop it; a viewer may do nothing', () => {
    expect(actionsFor('active', editor)).toEqual(['pause', 'archive']);
    expect(actionsFor('active', ['business.read'])).toEqual([]);
  });
});
