// The integrations page's Webhooks section (being built: see issue #19).
export function WebhooksSection({ businessId }: { businessId: string }) {
  return (
    <section aria-labelledby="webhooks-title" className="stack" data-business={businessId}>
      <h2 id="webhooks-title">Webhooks</h2>
    </section>
  );
}
