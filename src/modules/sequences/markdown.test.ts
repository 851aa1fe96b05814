// Unit tests of the Markdown an email step may be written in: it becomes email HTML with its
// Liquid tags exactly as written, and whatever could run script or lead elsewhere is removed.
import { describe, expect, it } from 'vitest';

import { markdownProblem, markdownToHtml } from './markdown.ts';

describe('markdownToHtml', () => {
  it('turns headings, bold text, lists, links and tables into email HTML', () => {
    const html = markdownToHtml(
      [
        '# Fresh bread',
        '',
        '**Warm** and *crusty*.',
        '',
        '- rye',
        '- spelt',
        '',
        '[Order now](https://bakery.example/order?x=1&y=2)',
        '',
        '| Day | Loaf |',
        '| --- | :--: |',
        '| Mon | Rye |',
      ].join('\n'),
    );
    expect(html).toContain('<h1>Fresh bread</h1>');
    expect(html).toContain('<strong>Warm</strong> and <em>crusty</em>');
    expect(html).toContain('<li>rye</li>');
    expect(html).toContain('<a href="https://bakery.example/order?x=1&amp;y=2">Order now</a>');
    expect(html).toContain('<th align="center">Loaf</th>');
  });

  it('keeps Liquid tags exactly as written, in text, in emphasis and in link targets', () => {
    const markdown = [
      '# Hi {{ subscriber.first_name | default: "there" }}',
      '',
      '{% if subscriber.first_name %}Good to see you, **{{ subscriber.first_name }}**!{% endif %}',
      '',
      '{% for item in subscriber.attributes.items %}* {{ item }} *{% endfor %}',
      '',
      '[Unsubscribe]({{ unsubscribe_url }}) · [Shop](https://shop.example/?who={{ subscriber.email }})',
    ].join('\n');
    const html = markdownToHtml(markdown);
    expect(html).toContain('<h1>Hi {{ subscriber.first_name | default: "there" }}</h1>');
    expect(html).toContain(
      '{% if subscriber.first_name %}Good to see you, <strong>{{ subscriber.first_name }}</strong>!{% endif %}',
    );
    expect(html).toContain(
      '{% for item in subscriber.attributes.items %}* {{ item }} *{% endfor %}',
    );
    expect(html).toContain('<a href="{{ unsubscribe_url }}">Unsubscribe</a>');
    expect(html).toContain('<a href="https://shop.example/?who={{ subscriber.email }}">Shop</a>');
  });

  it('gives a Liquid string inside a link target single quotes, so the attribute stays whole', () => {
    const html = markdownToHtml('[Go]({{ subscriber.url | default: "https://a.example" }})');
    expect(html).toBe(
      `<p><a href="{{ subscriber.url | default: 'https://a.example' }}">Go</a></p>`,
    );
  });

  it('removes script and style elements and on* attributes from raw HTML', () => {
    const html = markdownToHtml(
      [
        'Hello <script>alert(1)</script><style>p{}</style>',
        '',
        '<img src="https://cdn.example/a.png" alt="A loaf" onerror="alert(2)">',
        '',
        '<p onclick="alert(3)" style="color:red">Styled</p>',
      ].join('\n'),
    );
    expect(html).not.toMatch(/<script|alert|<style|style=|onerror|onclick/i);
    expect(html).toContain('<img src="https://cdn.example/a.png" alt="A loaf" />');
    expect(html).toContain('<p>Styled</p>');
  });

  it('drops javascript:, data: and relative links but keeps their text', () => {
    const html = markdownToHtml(
      [
        '[one](javascript:alert(1))',
        '[two](JaVaScRiPt:alert(1))',
        '<a href="data:text/html,x">three</a>',
        '[four](/relative)',
        '[mail](mailto:hello@bakery.example)',
        '![pixel](javascript:alert(1)) ![local](img.png)',
      ].join(' '),
    );
    expect(html).not.toMatch(/javascript|data:|relative|img\.png/i);
    expect(html).toContain('<a>one</a>');
    expect(html).toContain('<a>three</a>');
    expect(html).toContain('<a>four</a>');
    expect(html).toContain('<a href="mailto:hello@bakery.example">mail</a>');
    expect(html).not.toContain('<img');
  });

  it('treats a token-looking word in the Markdown as plain text', () => {
    const html = markdownToHtml('lq0123456789abn0z and {{ name }}');
    expect(html).toBe('<p>lq0123456789abn0z and {{ name }}</p>');
  });
});

describe('markdownProblem', () => {
  it('lets an ordinary email through, Liquid underscores not counted', () => {
    const email = `## Hello {{ subscriber.first_name | default: "there" }}\n\n**Fresh** _rye_ today. [Order](https://bakery.example)\n\n> A quote\n`;
    expect(markdownProblem(email.repeat(40))).toBeUndefined();
  });

  it('refuses what would hold the event loop or overflow the stack, before marked runs', () => {
    expect(markdownProblem('*_a'.repeat(151))).toMatch(/\* and _/);
    expect(markdownProblem('*_a'.repeat(150))).toBeUndefined();
    expect(markdownProblem('> '.repeat(11) + 'deep')).toMatch(/nested/);
    expect(markdownProblem('> '.repeat(10) + 'deep')).toBeUndefined();
    expect(markdownProblem('['.repeat(501))).toMatch(/\[/);
  });
});
