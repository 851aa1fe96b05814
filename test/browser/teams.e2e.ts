// Teams in the dashboard (issue #15), in a real browser against a real Herald with no SMTP: an
// owner invites an editor from the Team page (which shows the link to hand over), the editor signs
// up through the link and accepts, drafts a post and submits it for review, the owner approves
// it, and the content page's trail names both; made a viewer, the editor is offered no new work.
// The Team page fits a 390 px phone, and the last owner cannot leave.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import {
  apiAs,
  browserSuite,
  createBusiness,
  pageWidth,
  screenshot,
  signUp,
  tokenOf,
} from './harness.ts';

const suite = browserSuite();
const BUSINESS = 'Blue Door Bakery';
const EDITOR = {
  name: 'Eli Editor',
  email: 'eli.editor@example.com',
  password: 'Green-Gate-Loaves-7',
};

/** The status badge in the content page's header ("In review"). */
async function contentStatus(page: Page): Promise<string | null> {
  return page.locator('.page-header .badge').first().textContent();
}

describe('a team of two on one business', () => {
  it('the owner invites an editor, who joins through the link, drafts and submits; the owner approves; the trail shows both', async () => {
    const base = suite.herald.url;
    const owner = await suite.newPage({ viewport: { width: 1366, height: 800 } });
    await signUp(owner.page, base);
    const businessId = await createBusiness(owner.page, base, BUSINESS);

    // The Team page: the owner alone, then an invitation with the link to hand over.
    await owner.page.getByRole('link', { name: 'Team' }).click();
    await owner.page.waitForURL(`${base}/businesses/${businessId}/team`);
    await owner.page.getByTestId('member-row').waitFor();
    await owner.page.getByLabel('Email').fill(EDITOR.email);
    await owner.page.getByLabel('Role', { exact: true }).selectOption('editor');
    await owner.page.getByRole('button', { name: 'Send invitation' }).click();
    const invite = owner.page.getByTestId('invite-link');
    await invite.waitFor();
    expect(await invite.textContent()).toContain('Email isn’t set up, so send this link yourself');
    const link = (await owner.page.getByTestId('invite-link-url').textContent()) ?? '';
    const invitationPath = new URL(link).pathname;
    expect(invitationPath).toMatch(/^\/invitations\/.+/);
    await owner.page.getByTestId('invitation-row').waitFor();
    await screenshot(owner.page, 'teams-invited');

    // The editor opens the link signed out: sign in or sign up first, then back to it.
    const editor = await suite.newPage({ viewport: { width: 390, height: 844 } });
    await editor.page.goto(base + invitationPath);
    await editor.page.waitForURL((url) => url.pathname === '/login');
    await editor.page.getByTestId('sign-in-for-invitation').waitFor();
    await editor.page.getByRole('link', { name: 'Create an account' }).click();
    await editor.page.getByLabel('Your name').fill(EDITOR.name);
    await editor.page.getByLabel('Work email').fill(EDITOR.email);
    await editor.page.getByLabel('Password').fill(EDITOR.password);
    await editor.page.getByRole('button', { name: 'Create account' }).click();
    await editor.page.waitForURL(base + invitationPath);
    await editor.page.getByRole('heading', { name: `Join ${BUSINESS}` }).waitFor();
    expect(await editor.page.getByTestId('invitation-role').textContent()).toBe('Editor');
    await editor.page.getByRole('button', { name: 'Accept' }).click();
    await editor.page.waitForURL(`${base}/businesses/${businessId}/home`);
    await editor.page.getByRole('button', { name: 'Menu' }).click();
    expect(await editor.page.getByLabel('Business').locator('option:checked').textContent()).toBe(
      `${BUSINESS} · Editor`,
    );

    // The owner's Team page now lists both, and no open invitation.
    await owner.page.reload();
    await owner.page.getByTestId('member-row').nth(1).waitFor();
    expect(await owner.page.getByTestId('member-row').count()).toBe(2);
    await owner.page.getByTestId('invitations-empty').waitFor();

    // The editor sees the team but cannot invite, and the instance admin pages are not theirs.
    await editor.page.goto(`${base}/businesses/${businessId}/team`);
    await editor.page.getByTestId('member-row').nth(1).waitFor();
    expect(await editor.page.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
    expect(await editor.page.getByRole('link', { name: 'Instance admin' }).count()).toBe(0);
    await editor.page.goto(`${base}/admin`);
    await editor.page.getByTestId('admin-refused').waitFor();
    // The owner signed up first: the instance administrator.
    await owner.page.getByRole('link', { name: 'Instance admin' }).waitFor();

    // The editor drafts a post on an empty piece (as a campaign's calendar slot makes one: the
    // dashboard writes pieces, it does not make blank ones), saves it, and submits it.
    const asEditor = apiAs(base, await tokenOf(suite.herald.url, EDITOR));
    const post = await asEditor<{ id: string }>('POST', `/businesses/${businessId}/contents`, {
      platform: 'x',
      topic: 'Sourdough is back on Saturday',
    });
    const contentPath = `${base}/businesses/${businessId}/content/${post.id}`;
    await editor.page.goto(contentPath);
    await editor.page
      .getByLabel('Post', { exact: true })
      .fill('Fresh sourdough is back this Saturday. Come early! #bakery');
    await editor.page.getByRole('button', { name: 'Save as a new version' }).click();
    await editor.page.getByTestId('version-row').first().waitFor();
    await editor.page.getByRole('button', { name: 'Submit for review' }).click();
    await editor.page.locator('.page-header .status-in_review').waitFor();
    expect(await contentStatus(editor.page)).toBe('In review');
    // An editor cannot approve: the button is not there.
    expect(await editor.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // The owner approves it; the trail names the editor's submission and the owner's approval.
    await owner.page.goto(contentPath);
    await owner.page.getByRole('button', { name: 'Approve' }).click();
    await owner.page.locator('.page-header .status-approved').waitFor();
    expect(await contentStatus(owner.page)).toBe('Approved');
    const trail = owner.page.getByTestId('trail-entry');
    await trail.nth(1).waitFor();
    const steps = await trail.allTextContents();
    expect(steps.some((step) => step.includes(`Submitted for review by ${EDITOR.name}`))).toBe(
      true,
    );
    expect(steps.some((step) => step.includes('Approved by Mara Marketer'))).toBe(true);
    await screenshot(owner.page, 'teams-trail');

    // The owner makes the editor a viewer on the Team page: the editor can no longer start work.
    await owner.page.goto(`${base}/businesses/${businessId}/team`);
    const editorRole = owner.page.getByLabel(`Role of ${EDITOR.name}`);
    await editorRole.selectOption('viewer');
    await expect.poll(() => editorRole.inputValue(), { timeout: 10_000 }).toBe('viewer');
    await editor.page.goto(`${base}/businesses/${businessId}/campaigns`);
    await editor.page.getByTestId('campaigns-empty').waitFor();
    expect(await editor.page.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
    expect(await editor.page.getByRole('button', { name: 'Create a campaign' }).count()).toBe(0);

    await owner.context.close();
    await editor.context.close();
    expect([...owner.errors, ...editor.errors]).toEqual([]);
  }, 120_000);

  it('at 390 px the Team page is no wider than the screen, for an owner with a member and an open invitation', async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 390, height: 844 },
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base, 'Harbour Road Café and Bakery Collective');
    const asOwner = apiAs(base, await tokenOf(suite.herald.url, account));
    await asOwner('POST', `/businesses/${businessId}/invitations`, {
      email: 'a.very-long-address-for-the-layout@neighbourhood-bakery-customers.example.com',
      role: 'viewer',
    });
    await page.goto(`${base}/businesses/${businessId}/team`);
    await page.getByTestId('member-row').first().waitFor();
    await page.getByTestId('invitation-row').first().waitFor();
    await page.getByRole('button', { name: 'Send invitation' }).waitFor();
    const width = await pageWidth(page);
    expect(width.scrollWidth, width.wide.join(', ')).toBeLessThanOrEqual(390);
    await screenshot(page, 'teams-phone');

    // Leaving as the only owner is refused, and the page says why.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Leave business' }).click();
    await page.getByText('A business always needs an owner').waitFor();
    await context.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
