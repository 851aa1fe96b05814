// Sequence triggers in the real dashboard: a marketer makes a sequence start when a customer
// does an event (with a property condition) and stop on an exit event, adds a "wait for event"
// step (abandoned cart: wait for the order of the same cart), and sees both as saved — on a
// laptop and on a phone, nothing wider than the screen.
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
const LONG = { timeout: 20_000 };

async function fitsTheScreen(page: Page): Promise<void> {
  const width = await pageWidth(page);
  expect(width.scrollWidth, width.wide.join(', ')).toBeLessThanOrEqual(width.innerWidth);
}

interface SavedSequence {
  trigger: { type: string; event?: string; where?: unknown };
  exitEvent: { event: string } | null;
  steps: { kind: string; waitFor: unknown }[];
}

describe('sequence triggers in Chromium', () => {
  it('sets an event trigger with a condition, an exit event and a wait-for-event step, and saves them', async () => {
    const { herald } = suite;
    const { page, errors, context } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    const account = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    const api = apiAs(herald.url, await tokenOf(suite.herald.url, account));
    const sequence = await api<{ id: string }>('POST', `/businesses/${businessId}/sequences`, {
      name: 'Abandoned cart',
      steps: [{ subject: 'You left {{ event.cart_id }} behind', html: '<p>Come back</p>' }],
    });
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);
    await expect
      .poll(() => page.getByTestId('trigger-summary').innerText(), LONG)
      .toBe('Subscribers are enrolled by hand');

    // The trigger: a customer event with a property condition, and an exit event.
    await page.getByRole('button', { name: 'Change how it starts' }).click();
    await page.getByLabel('Who is enrolled').selectOption('event');
    await page.getByLabel('Event name', { exact: true }).fill('Checkout Started');
    await page.getByRole('button', { name: 'Add a property condition' }).click();
    await page.getByLabel('Property', { exact: true }).fill('plan');
    await page.getByLabel('Value', { exact: true }).fill('pro');
    await page.getByLabel('Stop the sequence when the customer does an event').check();
    await page.getByLabel('Exit event name').fill('Cart Emptied');
    await fitsTheScreen(page);
    await screenshot(page, 'triggers-editor');
    await page.getByRole('button', { name: 'Save trigger' }).click();
    await expect
      .poll(() => page.getByTestId('trigger-summary').innerText(), LONG)
      .toBe('Starts when a customer does “Checkout Started” where plan is pro');
    expect(await page.getByTestId('exit-summary').innerText()).toBe(
      'Stops when the customer does “Cart Emptied”',
    );

    // A wait for the order of the same cart, up to 2 hours; if it comes, the sequence ends.
    await page.getByRole('button', { name: 'Add a wait for an event' }).click();
    await page.getByLabel('Event to wait for').fill('Order Completed');
    await page.getByLabel('Same as the starting event').fill('cart_id');
    await page.getByLabel('Wait at most').fill('2');
    await page.getByLabel('Unit of the limit').selectOption('hours');
    expect(await page.getByLabel('If it happens').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Save step' }).click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('wait-flow')
            .first()
            .innerText()
            .catch(() => ''),
        LONG,
      )
      .toContain('Waits up to 2 hours for “Order Completed” with the same cart_id');
    expect(await page.getByTestId('wait-flow').innerText()).toContain(
      'If it happens: ends the sequence',
    );
    await screenshot(page, 'triggers-saved');

    const saved = await api<SavedSequence>(
      'GET',
      `/businesses/${businessId}/sequences/${sequence.id}`,
    );
    expect(saved.trigger).toEqual({
      type: 'event',
      event: 'Checkout Started',
      where: [{ property: 'plan', op: 'eq', value: 'pro' }],
    });
    expect(saved.exitEvent).toEqual({ event: 'Cart Emptied' });
    expect(saved.steps.map((step) => step.kind)).toEqual(['email', 'wait_for_event']);
    expect(saved.steps[1]?.waitFor).toEqual({
      event: 'Order Completed',
      sameAs: ['cart_id'],
      limit: { value: 2, unit: 'hours' },
      goToStep: null,
    });

    // A segment trigger offers the business's segments (none yet: it says where to make one).
    await page.getByRole('button', { name: 'Change how it starts' }).click();
    await page.getByLabel('Who is enrolled').selectOption('segment');
    await expect
      .poll(() => page.getByText('This business has no segments yet').count(), LONG)
      .toBe(1);
    await page.getByRole('button', { name: 'Save trigger' }).click();
    // Not saved without a segment: the field says so.
    await page.getByRole('alert').filter({ hasText: 'Choose a segment' }).waitFor(LONG);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // On a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('wait-flow').waitFor();
    await fitsTheScreen(page);
    await page.getByRole('button', { name: 'Change how it starts' }).click();
    await fitsTheScreen(page);
    await screenshot(page, 'triggers-phone');

    await context.close();
    expect(errors).toEqual([]);
  });
});
