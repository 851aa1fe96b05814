// Unit tests of step rendering in the Liquid sandbox: what the dispatcher sees when a stored
// step loads a file or exceeds a limit (a TemplateRenderError naming the part), the engine's
// empty file system, the plain-text part derived from HTML, the unsubscribe link, and the
// tracked links and open pixel.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { templateEngine } from './liquid-sandbox.ts';
import {
  addTracking,
  checkTemplates,
  compileStep,
  htmlToText,
  type RenderContext,
  renderStep,
  TemplateRenderError,
} from './templates.ts';

const context: RenderContext = {
  subscriber: { email: 'ann@example.com', firstName: 'Ann', lastName: null, attributes: {} },
  business: { name: 'Blue Bottle' },
  unsubscribeUrl: 'https://herald.test/e/u/1',
};

const step = (
  parts: Partial<{ subject: string; preheader: string; html: string; text: string }>,
) => ({
  subject: 'Hi',
  preheader: '',
  html: '<p>Hi</p>',
  text: '',
  ...parts,
});

/** Compiles and renders a step for the subscriber of `context`. */
const render = (parts: Parameters<typeof step>[0]) => renderStep(compileStep(step(parts)), context);

function thrown(run: () => unknown): TemplateRenderError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateRenderError);
    return error as TemplateRenderError;
  }
  throw new Error('expected a TemplateRenderError');
}

/** Stops the clock liquidjs and the render budget read, so only the memory and size limits act. */
function freezeClock() {
  vi.spyOn(performance, 'now').mockReturnValue(1_000);
}

describe('step templates in the sandbox', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('renders a normal step for a subscriber', () => {
    const rendered = render({ subject: 'Hi {{ subscriber.first_name }}', html: '<p>Hi</p>' });
    expect(rendered.subject).toBe('Hi Ann');
    // The text part made from the HTML carries the footer's unsubscribe link, once.
    expect(rendered.text).toBe(
      "Hi\nDon't want these emails? Unsubscribe (https://herald.test/e/u/1).",
    );
  });

  it('when a stored step includes a file, compiling it throws a TemplateRenderError naming the part and the tag', () => {
    for (const tag of ['include', 'render', 'layout']) {
      const error = thrown(() => compileStep(step({ text: `{% ${tag} 'package.json' %}` })));
      expect(error.field).toBe('text');
      expect(error.message).toBe(
        `Template error in text: ${tag} is not supported: templates cannot load other files`,
      );
    }
    // Inside a {% liquid %} block too.
    expect(thrown(() => compileStep(step({ html: "{% liquid\ninclude 'x' %}" }))).reason).toContain(
      'include is not supported',
    );
  });

  it('has no file system: looking a file up by name reads nothing and names no server path', () => {
    let message = '';
    try {
      templateEngine('text').renderFileSync('package.json');
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).not.toBe('');
    expect(message).not.toContain('herald');
    expect(message).not.toContain(process.cwd());
  });

  it('when a render runs past the time limit, renderStep throws a TemplateRenderError for that part', () => {
    const compiled = compileStep(step({ html: '{% for i in (1..1000000) %}{% endfor %}' }));
    const error = thrown(() => renderStep(compiled, context));
    expect(error.field).toBe('html');
    expect(error.reason).toMatch(/^takes longer than \d+ ms to render/);
  });

  it('when a render builds too much, renderStep throws before allocating it', () => {
    freezeClock();
    const doubling =
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..25) %}{% assign s = s | append: s %}{% endfor %}{{ s }}';
    const error = thrown(() => render({ subject: doubling }));
    expect(error.field).toBe('subject');
    expect(error.reason).toContain('builds more than');
    const range = thrown(() => render({ text: '{% for i in (1..1000000000000) %}x{% endfor %}' }));
    expect(range.reason).toContain('builds more than');
  });

  it('refuses an email that renders to more than 1 MB', () => {
    freezeClock();
    const big = `{% for i in (1..6) %}${'y'.repeat(190_000)}{% endfor %}`;
    const error = thrown(() => render({ html: big }));
    expect(error.reason).toBe('renders to more than 1 MB');
  });

  it('reports trial-render problems at save time with their field', () => {
    const problems = checkTemplates(step({ preheader: '{% for i in (1..1000000) %}{% endfor %}' }));
    expect(problems.map((problem) => problem.field)).toEqual(['preheader']);
    expect(problems[0]?.message).toContain('takes longer');
    expect(checkTemplates(step({ html: '<p>{{ subscriber.first_name }}</p>' }))).toEqual([]);
  });

  it('derives the text part from HTML: links, hidden preheader, tags', () => {
    const rendered = render({
      preheader: 'Fresh bread',
      html: '<body><p>Hi <a class="x" href="https://shop.example/bread">our bread</a></p><br>Bye</body>',
    });
    expect(rendered.text).toMatch(/^Hi our bread \(https:\/\/shop\.example\/bread\)\n\nBye/);
    expect(rendered.text).not.toContain('Fresh bread');
    // Unclosed tags are dropped or kept as text, never matched across the whole document.
    expect(htmlToText('<a href="x">one<a href="y">two</a>')).toBe('onetwo (y)');
    expect(htmlToText('a < b and <<i>c</i>')).toBe('a < b and <c');
  });

  it('adds a visible unsubscribe link only where the author did not place {{ unsubscribe_url }}', () => {
    const placed = render({
      html: '<body><p><a href="{{ unsubscribe_url }}">Leave</a></p></body>',
      text: 'Leave: {{unsubscribe_url}}',
    });
    expect(placed.html).toBe('<body><p><a href="https://herald.test/e/u/1">Leave</a></p></body>');
    expect(placed.text).toBe('Leave: https://herald.test/e/u/1');

    const added = render({ html: '<body><p>Hi</p></body>', text: 'Hi' });
    expect(added.html).toMatch(
      /^<body><p>Hi<\/p><p [^>]*>Don't want these emails\? <a href="https:\/\/herald\.test\/e\/u\/1">Unsubscribe<\/a>\.<\/p><\/body>$/,
    );
    expect(added.text).toBe('Hi\n\nUnsubscribe: https://herald.test/e/u/1\n');
  });

  it('routes every web link through the click redirect except the unsubscribe link, and adds the open pixel', () => {
    const html =
      '<body><a href="https://shop.example/a?x=1&amp;y=2">Shop</a> <a href="mailto:hi@shop.example">Mail</a> <a href="https://herald.test/e/u/1">Leave</a></body>';
    const wrapped: string[] = [];
    const tracked = addTracking(
      html,
      (url) => {
        wrapped.push(url);
        return `https://herald.test/e/c/${String(wrapped.length)}?a=1&b=2`;
      },
      (url) => url.startsWith('https://herald.test/e/u/'),
      'https://herald.test/e/o/1',
    );
    expect(wrapped).toEqual(['https://shop.example/a?x=1&y=2']);
    expect(tracked).toBe(
      '<body><a href="https://herald.test/e/c/1?a=1&amp;b=2">Shop</a> <a href="mailto:hi@shop.example">Mail</a> <a href="https://herald.test/e/u/1">Leave</a><img src="https://herald.test/e/o/1" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px"></body>',
    );
  });

  it('makes every Liquid engine in the sandbox: no other file imports liquidjs for more than types', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const importers = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .filter((file) =>
        /^import (?!type )[^;]*from 'liquidjs'/m.test(readFileSync(path.join(root, file), 'utf8')),
      );
    expect(importers).toEqual([path.join('modules', 'sequences', 'liquid-sandbox.ts')]);
  });
});
