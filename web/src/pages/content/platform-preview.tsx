// How the piece will look where it is published: a post card for the social platforms, an
// inbox line and message for email, an article for the blog and the ad as a search result.
import { useScopedBusiness } from '../business-scope';
import { platformLabel } from '../campaigns/queries';
import { type Body, listOf, textOf } from './platform-fields';

export function PlatformPreview({ platform, body }: { platform: string; body: Body }) {
  const business = useScopedBusiness();
  const handle = business.name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return (
    <section className="card preview" aria-labelledby="preview-title" data-testid="preview">
      <h2 id="preview-title">{platformLabel(platform)} preview</h2>
      <div className={`preview-frame preview-${platform}`}>
        <Preview platform={platform} body={body} name={business.name} handle={handle} />
      </div>
    </section>
  );
}

function Preview(props: { platform: string; body: Body; name: string; handle: string }) {
  const { body } = props;
  const author = (
    <div className="preview-author">
      <span className="preview-avatar" aria-hidden="true">
        {props.name.slice(0, 1)}
      </span>
      <span>
        <strong>{props.name}</strong>
        {props.platform === 'x' && <span className="muted"> @{props.handle}</span>}
      </span>
    </div>
  );
  const paragraphs = (value: string) =>
    value
      .split(/\n{2,}/)
      .filter(Boolean)
      .map((paragraph, index) => <p key={index}>{paragraph}</p>);

  switch (props.platform) {
    case 'instagram':
      return (
        <>
          {author}
          <div className="preview-image" role="img" aria-label="Image idea">
            {textOf(body, 'imageIdea') || 'Image'}
          </div>
          <div className="preview-text">
            <strong>{props.handle}</strong> {textOf(body, 'caption')}
          </div>
        </>
      );
    case 'email':
      return (
        <>
          <div className="preview-inbox">
            <strong>{props.name}</strong>
            <span>{textOf(body, 'subject') || '(no subject)'}</span>
            <span className="muted">{textOf(body, 'preheader')}</span>
          </div>
          <div className="preview-text">{paragraphs(textOf(body, 'body'))}</div>
        </>
      );
    case 'blog':
      return (
        <article>
          <h3>{textOf(body, 'title') || '(no title)'}</h3>
          <ol className="preview-outline">
            {listOf(body, 'outline').map((item, index) => (
              <li key={index}>{item}</li>
            ))}
          </ol>
          <div className="preview-text">{paragraphs(textOf(body, 'draft'))}</div>
        </article>
      );
    case 'search_ads':
      return (
        <div className="preview-ad">
          <span className="muted small">Sponsored · {props.handle}.example</span>
          <strong className="preview-ad-headline">
            {listOf(body, 'headlines').filter(Boolean).slice(0, 3).join(' | ')}
          </strong>
          <span>{listOf(body, 'descriptions').filter(Boolean).slice(0, 2).join(' ')}</span>
        </div>
      );
    default:
      return (
        <>
          {author}
          <div className="preview-text">{textOf(body, 'text') || '(empty)'}</div>
        </>
      );
  }
}
