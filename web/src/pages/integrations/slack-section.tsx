// The integrations page's Slack section (being built: see issue #19).
export function SlackSection({ businessId }: { businessId: string }) {
  return (
    <section aria-labelledby="slack-title" className="stack" data-business={businessId}>
      <h2 id="slack-title">Slack</h2>
    </section>
  );
}
