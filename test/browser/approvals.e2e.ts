// Approvals in the real dashboard: an editor submits a piece for review and is not offered
// Approve; the owner approves and schedules it; the publisher publishes it; the review trail on
// the content page names each move ("Submitted for review by Ana Editor", "Approved by Mara
// Marketer", "Published"); the editor is not offered to activate a sequence either; a viewer
// sees the piece and its trail without a button to change it.
// Members are added through the test server's control (the Team page is tested on its own).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import {
  apiAs,
  browserSuite,
  createBusiness,
  pageWidth,
  screenshot,
  signIn,
  signUp,
  tokenOf,
} from './harness.ts';

const suite = browserSuite({ LLM_PROVIDER: 'builtin' });
const LONG = { timeout: 20_000 };

/** Registers an account through the API (the sign-up form is tested elsewhere). */
async function register(name: string): Promise<{ email: string; password: string }> {
  const email = `${name.split(' ')[0]?.toLowerCase() ?? 'member'}-${Date.now()}@example.com`;
  const password = 'Blue-Door-Bakery-9';
  const response = await fetch(`${suite.herald.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name }),
  });
  expect(response.status).toBe(201);
  return { email, password };
}

/** What each entry of the review trail says (without its "2 min ago"). */
const trailEntries = (page: Page) =>
  page.getByTestId('trail-entry').locator('span').allInnerTexts();

async function fitsTheScreen(page: Page): Promise<void> {
  const width = await pageWidth(page);
  expect(width.scrollWidth, width.wide.join(', ')).toBeLessThanOrEqual(width.innerWidth);
}

describe('approvals and the review trail in Chromium', () => {
  it('an editor submits, the owner approves, the trail shows who did what', async () => {
    const { herald } = suite;
    const owner = await suite.newPage({ viewport: { width: 1366, height: 800 } });
    const ownerAccount = await signUp(owner.page, herald.url);
    const businessId = await createBusiness(owner.page, herald.url);
    const asOwner = apiAs(herald.url, await tokenOf(suite.herald.url, ownerAccount));

    const editorAccount = await register('Ana Editor');
    const viewerAccount = await register('Vic Viewer');
    await herald.addMember({ businessId, email: editorAccount.email, role: 'editor' });
    await herald.addMember({ businessId, email: viewerAccount.email, role: 'viewer' });
    const piece = await asOwner<{ id: string }>('POST', `/businesses/${businessId}/contents`, {
      platform: 'x',
      topic: 'Spring loaves',
      body: { text: 'Spring loaves are here. Come by this weekend.' },
    });
    const contentUrl = `${herald.url}/businesses/${businessId}/content/${piece.id}`;

    // The editor, on a phone: submits for review, is never offered Approve.
    const editor = await suite.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(editor.page, herald.url, editorAccount);
    await editor.page.goto(contentUrl);
    const editorPanel = editor.page.getByTestId('workflow');
    await editor.page.getByTestId('trail-empty').waitFor(LONG);
    await editorPanel.getByRole('button', { name: 'Submit for review' }).click();
    await editor.page.getByTestId('awaiting-approval').waitFor(LONG);
    await editor.page.getByTestId('trail-entry').first().waitFor(LONG);
    expect(await trailEntries(editor.page)).toEqual(['Submitted for review by Ana Editor']);
    expect(await editor.page.getByTestId('trail-entry').locator('time').innerText()).toBe(
      'just now',
    );
    expect(await editorPanel.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    await fitsTheScreen(editor.page);
    await screenshot(editor.page, 'approvals-editor-phone');

    // Nor is the editor offered to start a sequence sending.
    const sequence = await asOwner<{ id: string }>('POST', `/businesses/${businessId}/sequences`, {
      name: 'Welcome',
      steps: [{ subject: 'Hello', html: '<p>Hi</p>' }],
    });
    await editor.page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);
    await editor.page.getByTestId('needs-approver').waitFor(LONG);
    expect(await editor.page.getByRole('button', { name: 'Activate', exact: true }).count()).toBe(
      0,
    );
    await editor.page.getByRole('button', { name: 'Archive', exact: true }).waitFor();

    // The owner approves and schedules; the publisher publishes when the time comes.
    await owner.page.goto(contentUrl);
    const ownerPanel = owner.page.getByTestId('workflow');
    await ownerPanel.getByRole('button', { name: 'Approve', exact: true }).click();
    await ownerPanel.getByRole('button', { name: 'Schedule', exact: true }).click();
    await owner.page.getByTestId('scheduled-for').waitFor(LONG);
    expect(await herald.publishAsIfLater(3 * 86_400)).toBe(1);
    await owner.page.getByTestId('published-at').waitFor(LONG);
    await owner.page.getByTestId('trail-entry').nth(3).waitFor(LONG);
    expect(await trailEntries(owner.page)).toEqual([
      'Submitted for review by Ana Editor',
      'Approved by Mara Marketer',
      'Scheduled by Mara Marketer',
      'Published',
    ]);
    await fitsTheScreen(owner.page);
    await screenshot(owner.page, 'approvals-owner-trail');

    // A viewer sees the piece and its trail, and nothing to change it with.
    const viewer = await suite.newPage({ viewport: { width: 1366, height: 800 } });
    await signIn(viewer.page, herald.url, viewerAccount);
    await viewer.page.goto(contentUrl);
    await viewer.page.getByTestId('trail-entry').nth(3).waitFor(LONG);
    await viewer.page.getByTestId('read-only-note').waitFor();
    for (const name of ['Generate again', 'Save as a new version', 'Archive', 'Approve']) {
      expect(await viewer.page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await screenshot(viewer.page, 'approvals-viewer');

    for (const { context, errors } of [owner, editor, viewer]) {
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
