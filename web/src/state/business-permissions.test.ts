import { describe, expect, it } from 'vitest';

import { ApiError } from '../api/errors';
import { can, refusalMessage } from './business-permissions';

describe('business permissions', () => {
  it('answers from the permissions the business carries', () => {
    const editor = { permissions: ['business.read', 'content.write'] as const };
    expect(can({ permissions: [...editor.permissions] }, 'content.write')).toBe(true);
    expect(can({ permissions: [...editor.permissions] }, 'content.approve')).toBe(false);
    expect(can({ permissions: ['business.read'] }, 'content.write')).toBe(false);
  });

  it('explains a refusal by the permission it needed', () => {
    const refused = new ApiError({
      status: 403,
      code: 'FORBIDDEN',
      message: 'Your role (editor) does not allow this',
      details: { requiredPermission: 'content.approve', role: 'editor' },
    });
    expect(refusalMessage(refused)).toMatch(/^Only owners, admins and members who may approve/);
    const other = new ApiError({ status: 403, code: 'FORBIDDEN', message: 'No' });
    expect(refusalMessage(other)).toMatch(/does not allow this/);
    expect(refusalMessage(new ApiError({ status: 409, code: 'CONFLICT', message: 'x' }))).toBe(
      null,
    );
    expect(refusalMessage(new Error('boom'))).toBe(null);
  });
});
