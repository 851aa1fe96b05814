// Enrollment of a business's subscribers in a sequence (by id, search or attribute; the first
// step is due after its delay) and the page of a sequence's enrollments.
import type { Principal } from '../../platform/http/auth-guard.ts';
import { conflict } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { OwnedSequence } from './owned-sequence.ts';
import type { SequenceRepository } from './repository.ts';
import { type EnrollBody, EnrollmentStatus } from './schemas.ts';

export function createEnrollment(deps: {
  repository: SequenceRepository;
  ownedSequence: OwnedSequence;
}) {
  const { repository, ownedSequence } = deps;
  return {
    async enroll(principal: Principal, businessId: string, sequenceId: string, body: EnrollBody) {
      const sequence = await ownedSequence(principal, businessId, sequenceId, 'content.write');
      if (sequence.status === 'archived')
        throw conflict('An archived sequence takes no enrollments');
      const steps = await repository.steps(sequenceId);
      const first = steps[0];
      const firstSendAt = new Date(Date.now() + (first ? first.delayMinutes * 60_000 : 0));
      const requested = body.subscriberIds?.length;
      const enrolled = await repository.enroll({
        businessId,
        sequenceId,
        firstSendAt,
        subscriberIds: body.subscriberIds,
        search: body.filter?.search,
        attribute: body.filter?.attribute,
      });
      return { enrolled, skipped: requested === undefined ? 0 : requested - enrolled };
    },

    async listEnrollments(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      query: PaginationQuery,
    ) {
      await ownedSequence(principal, businessId, sequenceId, 'business.read');
      const rows = await repository.listEnrollments(businessId, sequenceId, pageRequest(query));
      const page = pageOf(
        rows.map((row) => ({ ...row, createdAt: row.enrollment.createdAt, id: row.enrollment.id })),
        query.limit,
      );
      return {
        items: page.items.map(({ enrollment, email }) => ({
          id: enrollment.id,
          sequenceId: enrollment.sequenceId,
          subscriberId: enrollment.subscriberId,
          email,
          status: EnrollmentStatus.catch('active').parse(enrollment.status),
          nextStepIndex: enrollment.nextStepIndex,
          nextSendAt: enrollment.nextSendAt?.toISOString() ?? null,
          waitingUntil: enrollment.waitUntil?.toISOString() ?? null,
          triggerEvent: enrollment.triggerEvent ?? null,
          createdAt: enrollment.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}
