// A refused team change. The last owner's refusal (409) is said plainly; the server's message
// says what to do instead (make someone else owner first).
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';

export function TeamError({ error, title }: { error: unknown; title: string }) {
  const lastOwner = error instanceof ApiError && error.status === 409;
  return (
    <ErrorNotice error={error} title={lastOwner ? 'A business always needs an owner' : title} />
  );
}
