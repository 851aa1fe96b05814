// The step editor's conversions: what the marketer types becomes the API's delay and send
// window (or says which field is wrong), and the server's template errors find their field.
import { describe, expect, it } from 'vitest';

import { ApiError } from '../../api/errors';
import {
  applyMarkdown,
  describeDays,
  describeTiming,
  emptyStepForm,
  errorsStillApplying,
  FIRST_NAME_TAG,
  formToPayload,
  lineOf,
  makeTextFromHtml,
  type SequenceStep,
  stepErrorsOf,
  type StepForm,
  stepToForm,
  switchLosesFormatting,
  switchToHtml,
  switchToMarkdown,
  writeTextByHand,
} from './step-form';

const filled: StepForm = {
  ...emptyStepForm(false),
  subject: 'Hi',
  bodyFormat: 'html',
  html: '<p>Hi</p>',
};

describe('formToPayload', () => {
  it('turns a delay and a send window into the API body, days sorted and unique', () => {
    const result = formToPayload({
      ...filled,
      delayValue: ' 3 ',
      delayUnit: 'hours',
      windowEnabled: true,
      windowDays: [5, 1, 3, 1],
      windowStart: '08:30',
      windowEnd: '18:00',
    });
    expect(result).toEqual({
      ok: true,
      payload: expect.objectContaining({
        delay: { value: 3, unit: 'hours' },
        sendWindow: { days: [1, 3, 5], start: '08:30', end: '18:00' },
      }) as unknown,
    });
  });

  it('sends no window when the box is unticked, whatever the hidden fields hold', () => {
    const result = formToPayload({ ...filled, windowEnabled: false, windowDays: [] });
    expect(result.ok && result.payload.sendWindow).toBeNull();
  });

  it('refuses a negative, fractional or empty delay, and one longer than a year', () => {
    for (const delayValue of ['-1', '1.5', '', 'two']) {
      const result = formToPayload({ ...filled, delayValue });
      expect(result.ok ? null : result.errors.delayValue).toMatch(/whole number/);
    }
    const tooLong = formToPayload({ ...filled, delayValue: '366', delayUnit: 'days' });
    expect(tooLong.ok ? null : tooLong.errors.delayValue).toMatch(/at most a year/);
    expect(formToPayload({ ...filled, delayValue: '365', delayUnit: 'days' }).ok).toBe(true);
  });

  it('names the window field that is wrong: no day, or an end before the start', () => {
    const noDay = formToPayload({ ...filled, windowEnabled: true, windowDays: [] });
    expect(noDay.ok ? null : noDay.errors.windowDays).toBe('Choose at least one day');
    const backwards = formToPayload({
      ...filled,
      windowEnabled: true,
      windowStart: '17:00',
      windowEnd: '09:00',
    });
    expect(backwards.ok ? null : backwards.errors.windowEnd).toMatch(/end after it starts/);
  });

  it('requires a subject and the body in the way it is written (Markdown for a new step)', () => {
    const result = formToPayload(emptyStepForm(true));
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual(['markdown', 'subject']);
    const html = formToPayload({ ...emptyStepForm(true), bodyFormat: 'html' });
    expect(html.ok ? [] : Object.keys(html.errors).sort()).toEqual(['html', 'subject']);
  });

  it('sends the Markdown alone in Markdown mode, and the HTML alone in HTML mode', () => {
    const markdown = formToPayload({ ...filled, bodyFormat: 'markdown', markdown: '**Hi**' });
    expect(markdown.ok && markdown.payload).toMatchObject({ markdown: '**Hi**' });
    expect(markdown.ok && 'html' in markdown.payload).toBe(false);
    const html = formToPayload({ ...filled, markdown: '**Hi**' });
    expect(html.ok && html.payload).toMatchObject({ html: '<p>Hi</p>' });
    expect(html.ok && 'markdown' in html.payload).toBe(false);
  });
});

describe('switching between Markdown and HTML', () => {
  const markdownForm: StepForm = {
    ...filled,
    bodyFormat: 'markdown',
    markdown: '**Hi**',
    html: '',
  };

  it('to HTML shows the HTML made from the Markdown; back unchanged returns to the Markdown', () => {
    const html = switchToHtml(markdownForm, '<p><strong>Hi</strong></p>');
    expect(html).toMatchObject({ bodyFormat: 'html', html: '<p><strong>Hi</strong></p>' });
    expect(switchLosesFormatting(html, '<p><strong>Hi</strong></p>')).toBe(false);
    expect(switchToMarkdown(html, '<p><strong>Hi</strong></p>')).toMatchObject({
      bodyFormat: 'markdown',
      markdown: '**Hi**',
    });
  });

  it('back to Markdown after the HTML was changed keeps its words, Liquid included', () => {
    const edited = { ...filled, html: '<p>Hello {{ subscriber.first_name }}</p>' };
    expect(switchLosesFormatting(edited, null)).toBe(true);
    expect(switchToMarkdown(edited, null)).toMatchObject({
      bodyFormat: 'markdown',
      markdown: 'Hello {{ subscriber.first_name }}',
    });
  });

  it('a saved step opens in the way it was written', () => {
    const base = {
      id: '00000000-0000-4000-8000-000000000001',
      sequenceId: '00000000-0000-4000-8000-000000000002',
      kind: 'email' as const,
      waitFor: null,
      position: 0,
      delay: { value: 0, unit: 'minutes' as const },
      sendWindow: null,
      subject: 'Hi',
      preheader: '',
      html: '<p><strong>Hi</strong></p>',
      text: '',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    expect(stepToForm({ ...base, markdown: '**Hi**' })).toMatchObject({
      bodyFormat: 'markdown',
      markdown: '**Hi**',
    });
    expect(stepToForm({ ...base, markdown: null })).toMatchObject({ bodyFormat: 'html' });
  });
});

describe('applyMarkdown', () => {
  it('wraps the selection in bold and italic marks, or a placeholder to type over', () => {
    expect(applyMarkdown('Fresh bread', 6, 11, 'bold')).toEqual({
      value: 'Fresh **bread**',
      start: 8,
      end: 13,
    });
    expect(applyMarkdown('', 0, 0, 'italic')).toEqual({
      value: '*italic text*',
      start: 1,
      end: 12,
    });
  });

  it('makes a link with its address selected, and inserts the first-name tag', () => {
    const link = applyMarkdown('Order now', 0, 9, 'link');
    expect(link.value).toBe('[Order now](https://)');
    expect(link.value.slice(link.start, link.end)).toBe('https://');
    const name = applyMarkdown('Hi !', 3, 3, 'firstName');
    expect(name.value).toBe(`Hi ${FIRST_NAME_TAG}!`);
  });

  it('turns the selected lines into list items, or the current line into a heading', () => {
    expect(applyMarkdown('rye\nspelt', 0, 9, 'list').value).toBe('- rye\n- spelt');
    expect(applyMarkdown('intro\nOur loaves', 9, 9, 'heading').value).toBe('intro\n## Our loaves');
  });
});

describe('stepToForm', () => {
  it('reads a saved step back into the form, and saving it unchanged gives the same body', () => {
    const step: SequenceStep = {
      id: '00000000-0000-4000-8000-000000000001',
      sequenceId: '00000000-0000-4000-8000-000000000002',
      kind: 'email',
      waitFor: null,
      position: 1,
      delay: { value: 2, unit: 'days' },
      sendWindow: { days: [2, 1], start: '09:00', end: '17:00' },
      subject: 'Still hungry?',
      preheader: '',
      html: '<p>Bread</p>',
      markdown: null,
      text: '',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const form = stepToForm(step);
    expect(form).toMatchObject({ delayValue: '2', delayUnit: 'days', windowDays: [1, 2] });
    const again = formToPayload(form);
    expect(again.ok && again.payload.sendWindow).toEqual({
      days: [1, 2],
      start: '09:00',
      end: '17:00',
    });
  });
});

describe('the plain-text part', () => {
  const payloadOf = (form: typeof filled) => {
    const result = formToPayload(form);
    if (!result.ok) throw new Error('the form should be valid');
    return result.payload;
  };

  it('is made from the HTML by default, and sent empty so the server makes it at send time', () => {
    expect(filled.textSource).toBe('html');
    expect(payloadOf({ ...filled, text: 'left over' }).text).toBe('');
  });

  it('written by hand starts from the HTML with its Liquid, and is sent as written', () => {
    const form = writeTextByHand({
      ...filled,
      html: '<p>Hi {{ subscriber.first_name }},</p><p><a href="https://shop.example">Order</a></p>',
    });
    expect(form.textSource).toBe('written');
    expect(form.text).toBe('Hi {{ subscriber.first_name }},\nOrder (https://shop.example)');
    expect(payloadOf({ ...form, text: 'My own words' }).text).toBe('My own words');
    // Emptied, it is made from the HTML again.
    expect(payloadOf({ ...form, text: '  ' }).text).toBe('');
  });

  it('goes back to made from the HTML, and a saved step says which it is', () => {
    const back = makeTextFromHtml(writeTextByHand(filled));
    expect(back).toMatchObject({ textSource: 'html', text: '' });
    const fromMarkdown = writeTextByHand(
      { ...filled, bodyFormat: 'markdown', markdown: '**Hi** {{ subscriber.first_name }}' },
      '<p><strong>Hi</strong> {{ subscriber.first_name }}</p>',
    );
    expect(fromMarkdown.text).toBe('Hi {{ subscriber.first_name }}');
    const step = (text: string): SequenceStep => ({
      id: '00000000-0000-4000-8000-000000000001',
      sequenceId: '00000000-0000-4000-8000-000000000002',
      kind: 'email',
      waitFor: null,
      position: 0,
      delay: { value: 0, unit: 'minutes' },
      sendWindow: null,
      subject: 'Hi',
      preheader: '',
      html: '<p>Hi</p>',
      markdown: null,
      text,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    expect(stepToForm(step('')).textSource).toBe('html');
    expect(stepToForm(step('Hand-written')).textSource).toBe('written');
  });
});

describe('describeTiming', () => {
  it('says when a step sends in words, with the window in the business time zone', () => {
    expect(
      describeTiming({ delay: { value: 0, unit: 'minutes' }, sendWindow: null }, 0, 'UTC'),
    ).toBe('Sends right after enrollment');
    expect(
      describeTiming(
        {
          delay: { value: 1, unit: 'days' },
          sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
        },
        1,
        'Europe/Paris',
      ),
    ).toBe('Sends 1 day after the previous step, Mon–Fri 09:00–17:00 (Europe/Paris)');
    expect(describeDays([7, 6])).toBe('Sat, Sun');
    expect(describeDays([1, 2, 3, 4, 5, 6, 7])).toBe('every day');
  });
});

describe('stepErrorsOf', () => {
  const templateError = new ApiError({
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'Template error in html at line 2',
    details: {
      issues: [
        {
          path: 'body.html',
          message: 'line 2, column 4: tag "iff" not found',
          line: 2,
          column: 4,
        },
        { path: 'body.delay.value', message: 'Too small: expected number to be >=0' },
        { path: 'body.sendWindow.days', message: 'Too small' },
      ],
    },
  });

  it('puts each server error at its field, with the template line', () => {
    const errors = stepErrorsOf(templateError);
    expect(errors.html).toEqual({
      message: 'line 2, column 4: tag "iff" not found',
      line: 2,
      column: 4,
    });
    expect(errors.delayValue?.message).toMatch(/Too small/);
    expect(errors.windowDays?.message).toBe('Too small');
    expect(lineOf('<p>Hi</p>\n{% iff x %}\n', errors.html?.line ?? null)).toBe('{% iff x %}');
  });

  it("drops a refused save's error from a field changed since, and keeps the others", () => {
    const submitted = { ...filled, html: '<p>Hi</p>\n{% iff x %}', delayValue: '-1' };
    const errors = stepErrorsOf(templateError);
    expect(Object.keys(errorsStillApplying(errors, submitted, submitted)).sort()).toEqual([
      'delayValue',
      'html',
      'windowDays',
    ]);
    const fixed = { ...submitted, html: '<p>Hi</p>' };
    expect(Object.keys(errorsStillApplying(errors, submitted, fixed)).sort()).toEqual([
      'delayValue',
      'windowDays',
    ]);
    expect(errorsStillApplying(errors, { ...submitted, windowDays: [1] }, fixed).windowDays).toBe(
      undefined,
    );
    expect(errorsStillApplying(errors, null, fixed)).toBe(errors);
  });

  it('ignores errors that are not validation errors', () => {
    expect(
      stepErrorsOf(new ApiError({ status: 409, code: 'CONFLICT', message: 'archived' })),
    ).toEqual({});
    expect(stepErrorsOf(new Error('boom'))).toEqual({});
  });
});
